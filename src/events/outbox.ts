/**
 * The events outbox in D1 (SPEC §7.1). An event enters it when it is stored and leaves it only when
 * the matcher has handed it to every matching subscription's Durable Object (`confirmHandedOver`).
 * `outbox_due_at` says when the cron's sweep sends it (again): a grace minute after publishing (the
 * publish path sends it itself), a lease after each sweep send. A lost queue message, a crashed
 * `wrangler dev` or a matcher batch that failed past its retries therefore only delays an event.
 */
import type { Env } from "../env";
import type { CloudEvent } from "./cloudevent";

/** The sweep sends an event the matcher has not confirmed this long after it was stored. */
export const OUTBOX_GRACE_MS = 60_000;
/** After a sweep sent it, the event is sent again if still unconfirmed this much later. */
export const OUTBOX_LEASE_MS = 10 * 60_000;
/** A sweep send that failed is tried again after this long (the pieces behind it go on). */
export const OUTBOX_RETRY_MS = 60_000;

// The statements, named so the query-plan tests check exactly these.
export const LEASE_SQL =
  "UPDATE events SET outbox_due_at = ?1 WHERE seq IN (SELECT seq FROM events WHERE outbox_due_at <= ?2 ORDER BY outbox_due_at, seq LIMIT ?3) RETURNING seq, prev_seq, cloudevent";
export const RESCHEDULE_SQL =
  "UPDATE events SET outbox_due_at = ? WHERE seq IN (SELECT value FROM json_each(?)) AND outbox_due_at IS NOT NULL";
export const CONFIRM_SQL =
  "UPDATE events SET outbox_due_at = NULL, dispatched_at = ? WHERE seq IN (SELECT value FROM json_each(?)) AND outbox_due_at IS NOT NULL";
export const BY_SEQ_SQL =
  "SELECT seq, prev_seq, cloudevent FROM events WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq";

export interface OutboxEvent {
  seq: number;
  /** The previous event of the same resource (0: none), absent when unknown (stored before 0013). */
  prev?: number;
  event: CloudEvent;
}

type Row = { seq: number; prev_seq: number | null; cloudevent: string };

function outboxEvent(r: Row): OutboxEvent {
  return {
    seq: r.seq,
    ...(r.prev_seq !== null ? { prev: r.prev_seq } : {}),
    event: JSON.parse(r.cloudevent) as CloudEvent,
  };
}

/** Due events, oldest due first, leased to this sweep (due again after the lease) in the same step. */
export async function leaseDueEvents(env: Env, now: number, limit: number): Promise<OutboxEvent[]> {
  const { results } = await env.DB.prepare(LEASE_SQL)
    .bind(now + OUTBOX_LEASE_MS, now, limit)
    .all<Row>();
  return results.sort((a, b) => a.seq - b.seq).map(outboxEvent);
}

/** Sets when these (unconfirmed) events are due for the sweep; `at` = now puts them back at once. */
export async function rescheduleOutbox(env: Env, seqs: number[], at: number): Promise<void> {
  if (!seqs.length) return;
  await env.DB.prepare(RESCHEDULE_SQL).bind(at, JSON.stringify(seqs)).run();
}

/** Every matching subscription holds these events: they leave the outbox. */
export async function confirmHandedOver(env: Env, seqs: number[], now: Date): Promise<void> {
  if (!seqs.length) return;
  await env.DB.prepare(CONFIRM_SQL).bind(now.toISOString(), JSON.stringify(seqs)).run();
}

/** Stored events by position (queue messages too large to carry their event name only its position). */
export async function eventsBySeq(env: Env, seqs: number[]): Promise<OutboxEvent[]> {
  if (!seqs.length) return [];
  const { results } = await env.DB.prepare(BY_SEQ_SQL).bind(JSON.stringify(seqs)).all<Row>();
  return results.map(outboxEvent);
}
