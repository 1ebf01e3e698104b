import { and, asc, eq, gt, gte, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Env } from "../env";
import type { CloudEvent } from "./cloudevent";
import { wildcardGlob } from "./cursor";
import { admittedDueAt, OUTBOX_HELD } from "./outbox";
import { events } from "./table";

export interface StoredEvent {
  seq: number;
  event: CloudEvent;
}

/**
 * Stores the event unless (source, id) is already there. Returns the new row's position, the
 * position of its resource's previous event (0: none) and whether it goes to the queue now or waits
 * in the outbox, held, because its lane's window is full (`admittedDueAt`); both are decided in the
 * same statement, so D1's single writer makes them exact. Null for a duplicate. D1 commits before it
 * answers, so the event is durable on return.
 */
export async function insertEvent(
  env: Env,
  event: CloudEvent,
  now: Date,
  lane: string,
  window: number,
): Promise<{ seq: number; prev: number; held: boolean } | null> {
  const rows = await drizzle(env.DB)
    .insert(events)
    .values({
      id: event.id,
      source: event.source,
      resource: event.resource,
      type: event.type,
      subject: event.subject ?? null,
      alternativesubject: event.alternativesubject ?? null,
      time: new Date(event.time).toISOString(),
      cloudevent: JSON.stringify(event),
      storedAt: now.toISOString(),
      outboxDueAt: admittedDueAt(lane, now.getTime(), window),
      prevSeq: sql`(SELECT COALESCE(MAX(seq), 0) FROM events WHERE resource = ${event.resource})`,
      lane,
    })
    .onConflictDoNothing({ target: [events.source, events.id] })
    .returning({ seq: events.seq, prev: events.prevSeq, due: events.outboxDueAt });
  const row = rows[0];
  return row ? { seq: row.seq, prev: row.prev ?? 0, held: row.due === OUTBOX_HELD } : null;
}

/** Sets (a time) or clears (null: back into the outbox) the events' hand-over to the delivery queue. */
export async function markDispatched(env: Env, seqs: number[], now: Date | null): Promise<void> {
  for (let i = 0; i < seqs.length; i += 90) {
    const chunk = seqs.slice(i, i + 90);
    await env.DB.prepare(`UPDATE events SET dispatched_at = ? WHERE seq IN (${chunk.map(() => "?").join(",")})`)
      .bind(now?.toISOString() ?? null, ...chunk)
      .run();
  }
}

/** Events the queue never acknowledged taking (outbox sweep): older than `olderThan`, oldest first. */
export async function undispatchedEvents(env: Env, olderThan: Date, limit: number): Promise<StoredEvent[]> {
  const rows = await drizzle(env.DB)
    .select({ seq: events.seq, cloudevent: events.cloudevent })
    .from(events)
    .where(and(isNull(events.dispatchedAt), sql`${events.storedAt} < ${olderThan.toISOString()}`))
    .orderBy(asc(events.seq))
    .limit(limit);
  return rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.cloudevent) as CloudEvent }));
}

/** A resource's stored events strictly between two positions, oldest first (gap filling). */
export async function eventsBetween(
  env: Env,
  resource: string,
  afterSeq: number,
  beforeSeq: number,
  limit: number,
): Promise<StoredEvent[]> {
  const rows = await drizzle(env.DB)
    .select({ seq: events.seq, cloudevent: events.cloudevent })
    .from(events)
    .where(and(eq(events.resource, resource), gt(events.seq, afterSeq), sql`${events.seq} < ${beforeSeq}`))
    .orderBy(asc(events.seq))
    .limit(limit);
  return rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.cloudevent) as CloudEvent }));
}

/** Where an `after` event id is looked up: only among the events the caller's read could return. */
export interface IdScope {
  resource?: string;
  resourcePrefix?: string;
  subject?: string;
}

/**
 * Position of the first event with this id within the scope (ids may repeat across sources). The
 * scope keeps the look-up to what the caller may read, so another tenant's id is never found (§7.4).
 */
export async function seqOfEventId(env: Env, id: string, scope: IdScope): Promise<number | null> {
  const rows = await seqOfEventIdQuery(env, id, scope);
  return rows[0]?.seq ?? null;
}

/** The look-up's query, unexecuted (its plan is tested). */
export function seqOfEventIdQuery(env: Env, id: string, scope: IdScope) {
  const where: (SQL | undefined)[] = [eq(events.id, id)];
  if (scope.resource) where.push(eq(events.resource, scope.resource));
  if (scope.resourcePrefix) where.push(sql`+${events.resource} GLOB ${wildcardGlob(scope.resourcePrefix) + "*"}`);
  if (scope.subject) where.push(eq(events.subject, scope.subject));
  return drizzle(env.DB)
    .select({ seq: events.seq })
    .from(events)
    .where(and(...where))
    .orderBy(asc(events.seq))
    .limit(1);
}

export interface EventQuery {
  /** Exact resource URN; or `resourcePrefix`, matched as a prefix. */
  resource?: string;
  resourcePrefix?: string;
  afterSeq: number;
  subject?: string;
  alternativeSubject?: string;
  source?: string;
  types?: string[];
  from?: string;
  to?: string;
  size: number;
}

export async function listEvents(env: Env, q: EventQuery): Promise<StoredEvent[]> {
  const rows = await listEventsQuery(env, q);
  return rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.cloudevent) as CloudEvent }));
}

/**
 * `=` for a filter without `%`; GLOB only for a wildcard pattern, which validation keeps within D1's
 * 50-byte pattern limit (a longer one is a 400, see withinPatternLength).
 */
function patternOrEqual(column: typeof events.source | typeof events.type, filter: string): SQL {
  return filter.includes("%") ? sql`${column} GLOB ${wildcardGlob(filter)}` : eq(column, filter);
}

/** A page of events, unexecuted (its plan is tested for every filter combination). */
export function listEventsQuery(env: Env, q: EventQuery) {
  const where: (SQL | undefined)[] = [gt(events.seq, q.afterSeq)];
  if (q.resource) where.push(eq(events.resource, q.resource));
  // `+resource`: the prefix is a row filter, so the planner reads the subject's index in order (no temp sort).
  if (q.resourcePrefix) where.push(sql`+${events.resource} GLOB ${wildcardGlob(q.resourcePrefix) + "*"}`);
  if (q.subject) where.push(eq(events.subject, q.subject));
  if (q.alternativeSubject) where.push(eq(events.alternativesubject, q.alternativeSubject));
  if (q.source) where.push(patternOrEqual(events.source, q.source));
  if (q.types?.length) where.push(or(...q.types.map((t) => patternOrEqual(events.type, t))));
  if (q.from) where.push(gte(events.time, q.from));
  if (q.to) where.push(lte(events.time, q.to));
  return drizzle(env.DB)
    .select({ seq: events.seq, cloudevent: events.cloudevent })
    .from(events)
    .where(and(...where))
    .orderBy(asc(events.seq))
    .limit(q.size);
}
