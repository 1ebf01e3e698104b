/**
 * The one boundary between the event routes and the log that serves them (docs/event-log.md):
 * publishing, reading a page and finding an `after` event id. The partitioned log (the default,
 * `EVENT_LOG = "objects"`) serves them once its backfill is done; `EVENT_LOG = "d1"`, or before that, the D1 table.
 */
import type { Env } from "../env";
import type { AppContext } from "../http/context";
import type { CloudEvent } from "./cloudevent";
import { publish } from "./dispatch";
import { backfillState } from "./log/backfill";
import { objectsConfigured } from "./log/mode";
import { logPositionOfId, readLog } from "./log/resource-log";
import { byBytes, parsed } from "./log/rows";
import {
  eventLogStub,
  idGuardStub,
  logStub,
  partyLogName,
  partyOf,
  partyOfSubject,
  resourceLogName,
} from "./log/stubs";
import { listEvents, seqOfEventId, type EventQuery, type IdScope, type StoredEvent } from "./queries";

let backfilled = false;

/** Tests: forget that this isolate saw the backfill done. */
export function forgetBackfilled(): void {
  backfilled = false;
}

/** Does the partitioned log serve this request? One D1 read per request until the backfill is done, none after. */
export async function partitionedLog(env: Env): Promise<boolean> {
  if (!objectsConfigured(env)) return false;
  if (!backfilled) backfilled = (await backfillState(env)).done;
  return backfilled;
}

/** Stores and hands on one event; false for a duplicate (source, id). */
export async function publishEvent(
  app: AppContext,
  event: CloudEvent,
  owner?: string,
  publisher?: string | null,
): Promise<boolean> {
  if (!(await partitionedLog(app.env))) return publish(app, event, owner, publisher);
  return appendToLog(app.env, event, app.now().getTime());
}

/**
 * Publishes into the partitioned log: the guard's claim, the append (row and outbox in one
 * transaction), the party's index. Idempotent, so a caller may simply repeat it after a failure.
 */
export async function appendToLog(env: Env, event: CloudEvent, now: number): Promise<boolean> {
  const claim = await idGuardStub(env, event.source, event.id).claim(event.source, event.id, event.resource, now);
  if (claim.resource !== event.resource) return false;
  const stored = await eventLogStub(env, event.resource).append(event, now, claim.repeatSince);
  // Also for a repeat: a publish cut off before this step is completed by its retry.
  const party = partyOf(event);
  if (party) await logStub(env, partyLogName(party)).index(party, event, now, claim.repeatSince);
  return stored.created;
}

/**
 * Publishes Varsel's own order status events (SPEC §5.6) into the partitioned log, order kept per
 * resource, WITHOUT the `IdGuard` claim that a tenant's publish makes. The guard exists to tell
 * which resource a (source, id) pair was first published to; for these events that answer can
 * never differ: the id is derived from the change (row and status, src/notifications/status-events.ts)
 * and the source names the shipment, whose creating org fixes the resource
 * (`urn:altinn:resource:notifications_{org}`). So every repeat goes to the same head, whose
 * `appendMany` makes it a no-op (its unique index, and its segments asked once per batch). A burst
 * of 2,000 status events then costs a few head calls instead of 2,000 guard calls. Returns how many
 * were new.
 */
export async function appendOwnEvents(env: Env, events: CloudEvent[], now: number): Promise<number> {
  let created = 0;
  let run: CloudEvent[] = [];
  const flush = async () => {
    for (const piece of byBytes(run, (e) => JSON.stringify(e).length))
      created += await eventLogStub(env, piece[0]!.resource).appendMany(piece, now);
    run = [];
  };
  for (const event of events) {
    if (run.length && run[0]!.resource !== event.resource) await flush();
    run.push(event);
  }
  await flush();
  return created;
}

/** A page of events: one resource's log, or (app events about one party) that party's index. */
export async function readEvents(env: Env, q: EventQuery): Promise<StoredEvent[]> {
  if (!(await partitionedLog(env))) return listEvents(env, q);
  const { resource, afterSeq, ...filters } = q;
  if (resource) return parsed(await readLog(env, resourceLogName(resource), { ...filters, afterPos: afterSeq }));
  const party = partyOfSubject(q.subject);
  // Only numeric party ids have a party log (stubs.ts): any other subject has no events to read.
  if (!party) return [];
  return parsed(await readLog(env, partyLogName(party), { ...filters, afterPos: afterSeq }));
}

/** The position of an event id within what the read could return (see IdScope). */
export async function positionOfEventId(env: Env, id: string, scope: IdScope): Promise<number | null> {
  if (!(await partitionedLog(env))) return seqOfEventId(env, id, scope);
  if (scope.resource) return logPositionOfId(env, resourceLogName(scope.resource), id, scope.subject);
  const party = partyOfSubject(scope.subject);
  return party ? logPositionOfId(env, partyLogName(party), id) : null;
}
