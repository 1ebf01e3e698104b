/**
 * The events outbox in D1 (SPEC §7.1). An event enters it when it is stored and leaves it only when
 * the matcher has handed it to every matching subscription's Durable Object (`settleOutbox`;
 * `confirmHandedOver` is the same confirmation without a lane top-up).
 * `outbox_due_at` says when the cron's sweep sends it (again): a grace minute after publishing (the
 * publish path sends it itself), a lease after each sweep send. A lost queue message, a crashed
 * `wrangler dev` or a matcher batch that failed past its retries therefore only delays an event.
 *
 * Lanes (issue 7 point 7, src/events/lanes.ts): an event whose lane already has EVENTS_LANE_WINDOW
 * events in the queue is stored "held" (`outbox_due_at = OUTBOX_HELD`, a time never reached, so the
 * time-based sweep never sends it). The matcher's confirmation tops each lane of its batch up to the
 * window, oldest held first, in the same statement (`settleOutbox`); the sweep does the same for every
 * lane that holds events (`heldLanes`), in case a lane's events were confirmed without a top-up.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Env } from "../env";
import type { CloudEvent } from "./cloudevent";

/** The sweep sends an event the matcher has not confirmed this long after it was stored. */
export const OUTBOX_GRACE_MS = 60_000;
/** After a sweep sent it, the event is sent again if still unconfirmed this much later. */
export const OUTBOX_LEASE_MS = 10 * 60_000;
/** A sweep send that failed is tried again after this long (the pieces behind it go on). */
export const OUTBOX_RETRY_MS = 60_000;

/**
 * `outbox_due_at` of a held event: never due by time (2^53 - 1 ms), sent only when its lane has room.
 * Rolling back to code before migration 0016 must first release them:
 * `UPDATE events SET outbox_due_at = 0 WHERE outbox_due_at = 9007199254740991`.
 */
export const OUTBOX_HELD = Number.MAX_SAFE_INTEGER;

// The statements, named so the query-plan tests check exactly these.
export const LEASE_SQL =
  "UPDATE events SET outbox_due_at = ?1 WHERE seq IN (SELECT seq FROM events WHERE outbox_due_at <= ?2 ORDER BY outbox_due_at, seq LIMIT ?3) RETURNING seq, prev_seq, lane, cloudevent";
export const RESCHEDULE_SQL =
  "UPDATE events SET outbox_due_at = ? WHERE seq IN (SELECT value FROM json_each(?)) AND outbox_due_at IS NOT NULL";
export const CONFIRM_SQL =
  "UPDATE events SET outbox_due_at = NULL, dispatched_at = ? WHERE seq IN (SELECT value FROM json_each(?)) AND outbox_due_at IS NOT NULL";
/**
 * The matcher's confirmation and the lanes' top-up in one statement (one D1 round trip):
 * ?1 the handed-over positions (JSON) leave the outbox (dispatched ?2); each lane of ?4 (JSON) gets its
 * oldest held events up to its free window (?5 minus its events in the window, due after ?3 and by ?6
 * as `admittedDueAt` counts them, the confirmed ones not counted: an index range the window keeps to
 * about ?5 entries), due ?6 (the grace: sent now, by the caller). `topup` walks each lane's held
 * events one index seek at a time, so a lane holding 100,000 costs no more than one holding 25.
 * Returns the topped-up events with their bodies; a confirmed row comes back with a NULL body.
 */
export const SETTLE_SQL = `WITH RECURSIVE done(seq) AS (SELECT value FROM json_each(?1)),
  lanes(lane, free) AS (
    SELECT json_each.value, ?5 - (SELECT count(*) FROM events AS f
        WHERE f.lane = json_each.value AND f.outbox_due_at > ?3 AND f.outbox_due_at <= ?6
          AND f.seq NOT IN (SELECT seq FROM done))
      FROM json_each(?4)),
  topup(lane, seq, n, free) AS (
    SELECT lane, (SELECT min(s.seq) FROM events AS s WHERE s.lane = lanes.lane AND s.outbox_due_at = ${OUTBOX_HELD}), 1, free
      FROM lanes WHERE free > 0
    UNION ALL
    SELECT lane, (SELECT min(s.seq) FROM events AS s
        WHERE s.lane = topup.lane AND s.outbox_due_at = ${OUTBOX_HELD} AND s.seq > topup.seq), n + 1, free
      FROM topup WHERE n < free AND seq IS NOT NULL)
UPDATE events
   SET outbox_due_at = CASE WHEN seq IN (SELECT seq FROM done) THEN NULL ELSE ?6 END,
       dispatched_at = CASE WHEN seq IN (SELECT seq FROM done) THEN ?2 ELSE dispatched_at END
 WHERE (seq IN (SELECT seq FROM done) AND outbox_due_at IS NOT NULL) OR seq IN (SELECT seq FROM topup WHERE seq IS NOT NULL)
RETURNING seq, prev_seq, lane, CASE WHEN outbox_due_at IS NULL THEN NULL ELSE cloudevent END AS cloudevent`;
/**
 * Up to ?3 lanes holding events, after lane ?1 in lane order: a walk from lane to lane through
 * `events_lane_outbox` (one seek per lane, however many events a lane holds; between two lanes it
 * passes only lanes' events in the queue). `INDEXED BY`: on `outbox_due_at = ?` alone the planner
 * would take `events_outbox` and sort every held event by lane.
 */
export const HELD_LANES_SQL = `WITH RECURSIVE held(lane) AS (
    SELECT (SELECT lane FROM events INDEXED BY events_lane_outbox
             WHERE lane > ?1 AND outbox_due_at = ?2 ORDER BY lane LIMIT 1)
    UNION ALL
    SELECT (SELECT e.lane FROM events AS e INDEXED BY events_lane_outbox
             WHERE e.lane > held.lane AND e.outbox_due_at = ?2 ORDER BY e.lane LIMIT 1)
      FROM held WHERE held.lane IS NOT NULL LIMIT ?3)
  SELECT lane FROM held WHERE lane IS NOT NULL`;
export const BY_SEQ_SQL =
  "SELECT seq, prev_seq, cloudevent FROM events WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq";

export interface OutboxEvent {
  seq: number;
  /** The previous event of the same resource (0: none), absent when unknown (stored before 0013). */
  prev?: number;
  /** The event's lane (src/events/lanes.ts), absent when stored before migration 0016. */
  lane?: string;
  event: CloudEvent;
}

type Row = { seq: number; prev_seq: number | null; lane?: string | null; cloudevent: string };

function outboxEvent(r: Row): OutboxEvent {
  return {
    seq: r.seq,
    ...(r.prev_seq !== null ? { prev: r.prev_seq } : {}),
    ...(typeof r.lane === "string" ? { lane: r.lane } : {}),
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

/**
 * The new event's `outbox_due_at`, decided inside its insert (no extra round trip; D1's single writer
 * makes the count exact): due after the grace minute (sent by the caller at once) when its lane holds
 * nothing (so it never overtakes its own held events) and fewer than `window` of the lane's events are
 * in the window; else OUTBOX_HELD. In the window: sent by publish or a top-up (due within the grace
 * from now) and not yet confirmed. A sweep's re-send (due a 10-minute lease away: its message was
 * lost, or its hand-over keeps failing) holds no place, so events failing for one subscription slow
 * their lane for at most a grace minute and never stall it.
 */
export function admittedDueAt(lane: string, now: number, window: number): SQL {
  // "Fewer than `window` in the queue": there is no `window`-th one (reads at most `window` index entries).
  return sql`CASE WHEN NOT EXISTS (SELECT 1 FROM events WHERE lane = ${lane} AND outbox_due_at = ${OUTBOX_HELD})
    AND (SELECT 1 FROM events WHERE lane = ${lane} AND outbox_due_at > ${now} AND outbox_due_at <= ${now + OUTBOX_GRACE_MS}
          LIMIT 1 OFFSET ${window - 1}) IS NULL
    THEN ${now + OUTBOX_GRACE_MS} ELSE ${OUTBOX_HELD} END`;
}

/**
 * The matcher's settlement: `done` leave the outbox, and each of `lanes` is topped up to its window
 * from its held events, oldest first, in one statement. Returns the topped-up events (due a grace
 * period from now), which the caller sends to the queue; if it cannot, the sweep sends them then.
 */
export async function settleOutbox(
  env: Env,
  done: number[],
  lanes: string[],
  now: Date,
  window: number,
): Promise<OutboxEvent[]> {
  if (!done.length && !lanes.length) return [];
  const t = now.getTime();
  const { results } = await env.DB.prepare(SETTLE_SQL)
    .bind(JSON.stringify(done), now.toISOString(), t, JSON.stringify(lanes), window, t + OUTBOX_GRACE_MS)
    .all<Row>();
  return results
    .filter((r) => r.cloudevent !== null)
    .sort((a, b) => a.seq - b.seq)
    .map(outboxEvent);
}

/** Up to `limit` lanes holding events, after `after` in lane order ("" for the first). */
export async function heldLanes(env: Env, after: string, limit: number): Promise<string[]> {
  const { results } = await env.DB.prepare(HELD_LANES_SQL).bind(after, OUTBOX_HELD, limit).all<{ lane: string }>();
  return results.map((r) => r.lane);
}

/** Stored events by position (queue messages too large to carry their event name only its position). */
export async function eventsBySeq(env: Env, seqs: number[]): Promise<OutboxEvent[]> {
  if (!seqs.length) return [];
  const { results } = await env.DB.prepare(BY_SEQ_SQL).bind(JSON.stringify(seqs)).all<Row>();
  return results.map(outboxEvent);
}
