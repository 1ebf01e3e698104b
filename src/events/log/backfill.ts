/**
 * The migration of the D1 log into the partitioned log (docs/event-log.md). Each cron tick copies
 * the next rows of the D1 `events` table, in `seq` order, to their resource's `EventLog` (and party
 * events to their party's log) at their old `seq`, so old `vc1` cursors keep naming the same place.
 * Rows still in the D1 outbox go into the log's outbox and leave D1's in the same tick, after the
 * log holds them: pushed once (a subscription object ignores a position it already holds). The high
 * -water mark lives in D1 (`event_log_backfill`, migration 0019); a tick cut off half-way is repeated,
 * every step being idempotent. When a tick finds nothing left, the new log is switched on (`done`).
 */
import type { Env } from "../../env";
import type { CloudEvent } from "../cloudevent";
import type { ImportedRow } from "./event-log";
import { byBytes } from "./rows";
import { guardBucket, idGuardStub, logStub, partyLogName, partyOf, resourceLogName } from "./stubs";

/** Guard objects claimed in parallel. */
const GUARD_CALLS_AT_ONCE = 50;

/**
 * One step copies up to 1,000 rows: at most one call per guard object, resource head and party log
 * it touches (≤ 3,000 object calls, usually far fewer). Three steps a tick stay under Workers Paid's
 * 10,000 subrequests per invocation (developers.cloudflare.com/workers/platform/limits): 3,000 rows a
 * minute, about 4.3 million a day.
 */
export const BACKFILL = { rows: 1000, maxBatches: 3, budgetMs: 20_000 };

export const BACKFILL_ROWS_SQL =
  "SELECT seq, cloudevent, stored_at, outbox_due_at FROM events WHERE seq > ? ORDER BY seq LIMIT ?";

type Row = { seq: number; cloudevent: string; stored_at: string; outbox_due_at: number | null };

export interface BackfillState {
  mark: number;
  done: boolean;
}

export async function backfillState(env: Env): Promise<BackfillState> {
  const row = await env.DB.prepare("SELECT mark, done FROM event_log_backfill WHERE id = 1").first<{
    mark: number;
    done: number;
  }>();
  return { mark: row?.mark ?? 0, done: row?.done === 1 };
}

/** One tick of the backfill; returns how many rows it copied. */
export async function backfillTick(env: Env, limits = BACKFILL): Promise<number> {
  const started = Date.now();
  let copied = 0;
  let { mark } = await backfillState(env);
  for (let i = 0; i < limits.maxBatches && Date.now() - started < limits.budgetMs; i++) {
    const { results } = await env.DB.prepare(BACKFILL_ROWS_SQL).bind(mark, limits.rows).all<Row>();
    if (results.length) {
      await copy(env, results);
      const unconfirmed = results.filter((r) => r.outbox_due_at !== null).map((r) => r.seq);
      mark = results.at(-1)!.seq;
      await env.DB.batch([
        env.DB.prepare(
          "UPDATE events SET outbox_due_at = NULL, dispatched_at = ? WHERE seq IN (SELECT value FROM json_each(?)) AND outbox_due_at IS NOT NULL",
        ).bind(new Date().toISOString(), JSON.stringify(unconfirmed)),
        env.DB.prepare("UPDATE event_log_backfill SET mark = ?, updated_at = ? WHERE id = 1").bind(
          mark,
          new Date().toISOString(),
        ),
      ]);
      copied += results.length;
    }
    if (results.length < limits.rows) {
      await env.DB.prepare("UPDATE event_log_backfill SET done = 1 WHERE id = 1 AND done = 0").run();
      break;
    }
  }
  return copied;
}

/** Copies rows to their resources' logs and their parties' indexes, grouped so each object is called once. */
async function copy(env: Env, rows: Row[]): Promise<void> {
  const byResource = new Map<string, ImportedRow[]>();
  const byParty = new Map<string, ImportedRow[]>();
  for (const r of rows) {
    const event = JSON.parse(r.cloudevent) as CloudEvent;
    const row: ImportedRow = {
      seq: r.seq,
      event,
      storedAt: new Date(r.stored_at).getTime(),
      outbox: r.outbox_due_at !== null,
    };
    const list = byResource.get(event.resource) ?? [];
    list.push(row);
    byResource.set(event.resource, list);
    const party = partyOf(event);
    if (party) byParty.set(party, [...(byParty.get(party) ?? []), row]);
  }
  // Claimed first (SPEC §4.1): a repeat of a migrated event is then found, not stored again.
  await claimInGuards(env, [...byResource.values()].flat());
  const size = (r: ImportedRow) => JSON.stringify(r.event).length;
  // Objects in parallel; each object's rows in order, in pieces that fit one RPC message.
  await Promise.all([
    ...[...byResource].map(async ([resource, list]) => {
      const name = resourceLogName(resource);
      for (const piece of byBytes(list, size)) await logStub(env, name).importRows(piece, { name, resource });
    }),
    ...[...byParty].map(async ([party, list]) => {
      const name = partyLogName(party);
      // A party's copies carry no outbox: the resource's log pushes the event.
      const copies = list.map((r) => ({ ...r, outbox: false }));
      for (const piece of byBytes(copies, size)) await logStub(env, name).importRows(piece, { name });
    }),
  ]);
}

/**
 * Claims each row's (source, id) for its resource in its `IdGuard`, at the row's stored time, as
 * a publish to the new log would have: one call per guard object of the batch.
 */
async function claimInGuards(env: Env, rows: ImportedRow[]): Promise<void> {
  const byGuard = new Map<number, ImportedRow[]>();
  for (const r of rows) {
    const b = guardBucket(r.event.source, r.event.id);
    byGuard.set(b, [...(byGuard.get(b) ?? []), r]);
  }
  const groups = [...byGuard.values()];
  for (let i = 0; i < groups.length; i += GUARD_CALLS_AT_ONCE)
    await Promise.all(
      groups
        .slice(i, i + GUARD_CALLS_AT_ONCE)
        .map((g) =>
          idGuardStub(env, g[0]!.event.source, g[0]!.event.id).claimStored(
            g.map((r) => ({ source: r.event.source, id: r.event.id, resource: r.event.resource, at: r.storedAt })),
          ),
        ),
    );
}
