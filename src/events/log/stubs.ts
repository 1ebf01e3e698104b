/** The log's Durable Objects by name (docs/event-log.md). */
import type { Env } from "../../env";
import { PARTY_SUBJECT } from "../cloudevent";
import type { EventLog } from "./event-log";
import type { IdGuard } from "./id-guard";

/** Guard objects `(source, id)` pairs are spread over: a fixed number, whatever the tenants. */
export const GUARD_BUCKETS = 4096;

/** FNV-1a (32 bit) of a string: a stable, even spread of pairs over the guard objects. Pure. */
export function guardBucket(source: string, id: string): number {
  let h = 0x811c9dc5;
  const s = `${source}\n${id}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % GUARD_BUCKETS;
}

function named<T extends Rpc.DurableObjectBranded>(ns: DurableObjectNamespace, name: string): DurableObjectStub<T> {
  const typed = ns as unknown as DurableObjectNamespace<T>;
  return typed.get(typed.idFromName(name));
}

/** A log object by name: a resource's head `log:<urn>`, a party's head `party:<id>`, or a segment of either. */
export function logStub(env: Env, name: string): DurableObjectStub<EventLog> {
  return named<EventLog>(env.EVENT_LOG_DO, name);
}

export const resourceLogName = (resource: string) => `log:${resource}`;
export const partyLogName = (party: string) => `party:${party}`;

/** The head of a resource's log. */
export function eventLogStub(env: Env, resource: string): DurableObjectStub<EventLog> {
  return logStub(env, resourceLogName(resource));
}

/** Segment `n` of a log: rows its head has moved out, in position order. */
export function segmentStub(env: Env, headName: string, n: number): DurableObjectStub<EventLog> {
  return logStub(env, `${headName}:seg:${n}`);
}

export function idGuardStub(env: Env, source: string, id: string): DurableObjectStub<IdGuard> {
  return named<IdGuard>(env.ID_GUARD_DO, `guard:${guardBucket(source, id)}`);
}

const APP_RESOURCE_PREFIX = "urn:altinn:resource:app_";

/** The party an event is indexed under for `/app/party`: an app event about `/party/{id}`; else null. */
export function partyOf(event: { resource: string; subject?: string }): string | null {
  return event.resource.startsWith(APP_RESOURCE_PREFIX) ? partyOfSubject(event.subject) : null;
}

/**
 * `{id}` of a `/party/{id}` subject with a party id (digits only); else null. The id becomes part of an
 * object's name (`party:<id>`, its segments `party:<id>:seg:<n>`), so nothing but digits may reach
 * it: a subject like `/party/7:seg:1` would otherwise name another party's segment.
 */
export function partyOfSubject(subject: string | undefined): string | null {
  const m = PARTY_SUBJECT.exec(subject ?? "");
  return m ? m[1]! : null;
}
