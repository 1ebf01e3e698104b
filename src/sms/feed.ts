/**
 * The SMS outbox feed (issue 9). A queue message is one gateway session: one order's SMS, at most
 * SESSION_SIZE of them. An order has at most SESSION_WINDOW sessions' worth of SMS handed over or being
 * sent at a time (fewer than the consumer's max_batch_size in wrangler.toml), so one org's
 * 10,000-recipient order puts at most one batch ahead of another org's single SMS. The rest wait in D1
 * (`status = 'New' AND enqueued_at IS NULL`) and are handed over as the window frees: after each
 * generated chunk, after each session's outcomes are stored, and on the cron's sweep.
 * Every statement here reads through an index (test/integration/sms-query-plans.test.ts).
 */
import type { Env } from "../env";
import { errorText } from "../lib/errors";

/** SMS per gateway session (PSWin's batch; one queue message). */
export const SESSION_SIZE = 100;
/** Sessions of one order in the queue or being sent at once: one round of the consumer's six connections. */
export const SESSION_WINDOW = 6;
/** The consumer's max_batch_size for `varsel-sms` (wrangler.toml): above SESSION_WINDOW. */
export const SMS_BATCH_SIZE = 12;
/** Orders fed per D1 batch. */
const FEED_BATCH = 50;
/** Orders the sweep tops up per tick. */
const MAX_SWEEP_ORDERS = 1000;

/** The queue message: one gateway session of one order. */
export interface SmsSessionMessage {
  orderId: string;
  ids: string[];
}

/**
 * One order's top-up. In the window: SMS being sent, and SMS handed over and not yet sent (a session
 * waiting for its retry holds its place, so a gateway outage never lets an order fill the queue).
 * Read through sms_notifications_order_pending (migration 0017), whose entries for one key are in rowid
 * (`seq`) order, so the oldest go first without a sort; `status IN ('New', 'Sending')` is repeated so
 * SQLite sees that partial index applies.
 */
export const FEED_SMS_SQL = `
UPDATE sms_notifications SET enqueued_at = ?2
 WHERE id IN (
   SELECT id FROM sms_notifications INDEXED BY sms_notifications_order_pending
    WHERE order_id = ?1 AND status IN ('New', 'Sending') AND status = 'New' AND enqueued_at IS NULL AND due_at <= ?2
    LIMIT max(0, ?3
      - (SELECT count(*) FROM sms_notifications
          WHERE order_id = ?1 AND status IN ('New', 'Sending') AND status = 'Sending')
      - (SELECT count(*) FROM sms_notifications
          WHERE order_id = ?1 AND status IN ('New', 'Sending') AND status = 'New' AND enqueued_at IS NOT NULL)))
 RETURNING id, order_id`;

/** The top-up statement of one order (to run alone or in a D1 batch after the statement that freed the window). */
export function feedStatement(env: Env, orderId: string, now: Date, window = SESSION_WINDOW * SESSION_SIZE) {
  return env.DB.prepare(FEED_SMS_SQL).bind(orderId, now.toISOString(), window);
}

/** Pure: the handed-over SMS as sessions, per order in SESSION_SIZE pieces, orders interleaved. */
export function sessionsOf(rows: { id: string; order_id: string }[]): SmsSessionMessage[] {
  const byOrder = new Map<string, string[]>();
  for (const r of rows) {
    const list = byOrder.get(r.order_id) ?? [];
    list.push(r.id);
    byOrder.set(r.order_id, list);
  }
  const perOrder = [...byOrder].map(([orderId, ids]) => {
    const out: SmsSessionMessage[] = [];
    for (let i = 0; i < ids.length; i += SESSION_SIZE) out.push({ orderId, ids: ids.slice(i, i + SESSION_SIZE) });
    return out;
  });
  const sessions: SmsSessionMessage[] = [];
  for (let k = 0; perOrder.some((l) => k < l.length); k++)
    for (const l of perOrder) if (k < l.length) sessions.push(l[k]!);
  return sessions;
}

/** Tops up each order's window and hands the sessions to the queue. Returns the SMS handed over. */
export async function feedSms(env: Env, orderIds: string[], now: Date): Promise<number> {
  const unique = [...new Set(orderIds)];
  let fed = 0;
  for (let i = 0; i < unique.length; i += FEED_BATCH) {
    const results = await env.DB.batch<{ id: string; order_id: string }>(
      unique.slice(i, i + FEED_BATCH).map((id) => feedStatement(env, id, now)),
    );
    const rows = results.flatMap((r) => r.results);
    await enqueueSessions(env, sessionsOf(rows));
    fed += rows.length;
  }
  return fed;
}

/** Sends the session messages, 100 to a `sendBatch`; on failure the rest go back to waiting for the next feed. */
export async function enqueueSessions(env: Env, sessions: SmsSessionMessage[]): Promise<void> {
  for (let i = 0; i < sessions.length; i += 100) {
    const part = sessions.slice(i, i + 100);
    try {
      await env.SMS_QUEUE.sendBatch(part.map((body) => ({ body, contentType: "json" as const })));
    } catch (e) {
      const left = sessions.slice(i).flatMap((s) => s.ids);
      console.error(
        JSON.stringify({
          msg: "SMS queue send failed; the next feed retries",
          count: left.length,
          error: errorText(e),
        }),
      );
      await markSmsNotEnqueued(env, left);
      return;
    }
  }
}

/** Hand-off to the queue failed: the SMS wait for the next feed. */
export async function markSmsNotEnqueued(env: Env, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await env.DB.prepare(
    "UPDATE sms_notifications SET enqueued_at = NULL WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'New'",
  )
    .bind(JSON.stringify(ids))
    .run();
}

// ---- the cron's sweep --------------------------------------------------------------------------

/** Sends whose consumer died (lease ran out): back to waiting, so the feed hands them over again. */
export const RESET_STUCK_SMS_SQL = `
UPDATE sms_notifications SET status = 'New', sending_until = NULL, enqueued_at = NULL, last_update = ?1
 WHERE id IN (SELECT id FROM sms_notifications
   WHERE status IN ('New', 'Sending') AND status = 'Sending' AND sending_until < ?1 LIMIT ?2)
 RETURNING order_id`;

/** Messages lost (handed over long ago, due long ago, still New): back to waiting. */
export const RESET_LOST_SMS_SQL = `
UPDATE sms_notifications SET enqueued_at = NULL
 WHERE id IN (SELECT id FROM sms_notifications
   WHERE status IN ('New', 'Sending') AND status = 'New' AND due_at < ?1 AND enqueued_at < ?1 LIMIT ?2)
 RETURNING order_id`;

/** Unfinished orders that may have SMS waiting, least recently fed first (the e-mail feed stamps the rotation). */
export const SMS_ORDERS_TO_FEED_SQL = `SELECT id FROM notification_orders INDEXED BY notification_orders_feed_rotation
  WHERE status = 'Processing' AND notification_channel IN ('Sms', 'Future') ORDER BY last_fed_at LIMIT ?1`;

async function touched(env: Env, sql: string, at: Date, limit: number): Promise<string[]> {
  const { results } = await env.DB.prepare(sql).bind(at.toISOString(), limit).all<{ order_id: string }>();
  return results.map((r) => r.order_id);
}

export const resetStuckSms = (env: Env, now: Date, limit: number) => touched(env, RESET_STUCK_SMS_SQL, now, limit);
export const resetLostSms = (env: Env, lostBefore: Date, limit: number) =>
  touched(env, RESET_LOST_SMS_SQL, lostBefore, limit);

export async function smsOrdersToFeed(env: Env, limit = MAX_SWEEP_ORDERS): Promise<string[]> {
  const { results } = await env.DB.prepare(SMS_ORDERS_TO_FEED_SQL).bind(limit).all<{ id: string }>();
  return results.map((r) => r.id);
}
