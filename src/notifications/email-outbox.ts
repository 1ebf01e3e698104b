/**
 * The e-mail outbox in D1 (SPEC §5.3, §7.1, §7.4). An e-mail waiting to be handed to the queue has
 * `status = 'New' AND enqueued_at IS NULL`. The feeder hands each order at most FEED_WINDOW e-mails at a
 * time (one consumer batch), so one org's 10,000-recipient order puts at most one batch ahead of
 * another org's single e-mail. The cron's sweeps find what a crash or a lost message left behind.
 * Every statement here reads through a partial index (test/integration/email-outbox-plans.test.ts).
 */
import type { Env } from "../env";
import { errorText } from "../lib/errors";

/** E-mails of one order in the queue or being sent at once: one consumer batch. */
export const FEED_WINDOW = 100;
/**
 * An e-mail handed to the queue this long ago, due as long, and still New lost its message (a crash,
 * the queue gave up): it is handed over again. Short, because a duplicate message sends nothing twice
 * (the consumer's claim is atomic) while a lost one would stall the order.
 */
export const LOST_AFTER_MS = 90_000;
/** Orders fed per statement batch, and at most per cron tick. */
const FEED_BATCH = 50;
const MAX_FEED_PER_TICK = 1000;

/** The queue message: one per e-mail. */
export interface EmailMessage {
  notificationId: string;
}

/**
 * One order's feed. In the window: e-mails being sent, and e-mails handed over when due (a retry handed
 * over with a delay, enqueued before it is due, holds no place: it does not stand in the queue's line).
 */
const FEED_ORDER = `
UPDATE email_notifications SET enqueued_at = ?2
 WHERE id IN (
   SELECT id FROM email_notifications
    WHERE order_id = ?1 AND status = 'New' AND enqueued_at IS NULL AND due_at <= ?2
    LIMIT max(0, ?3
      - (SELECT count(*) FROM email_notifications WHERE order_id = ?1 AND status = 'Sending')
      - (SELECT count(*) FROM email_notifications
          WHERE order_id = ?1 AND status = 'New' AND enqueued_at IS NOT NULL AND due_at <= enqueued_at)))
 RETURNING id`;

/** Hands each order's waiting e-mails to the queue, up to its free window. Returns how many were handed over. */
export async function feedOrders(env: Env, orderIds: string[], now: Date, window = FEED_WINDOW): Promise<number> {
  const t = now.toISOString();
  let fed = 0;
  const unique = [...new Set(orderIds)];
  for (let i = 0; i < unique.length; i += FEED_BATCH) {
    const part = unique.slice(i, i + FEED_BATCH);
    const results = await env.DB.batch<{ id: string }>(
      part.map((id) => env.DB.prepare(FEED_ORDER).bind(id, t, window)),
    );
    // Interleave the orders, so a queue message of each comes before the second of any.
    const lists = results.map((r) => r.results.map((row) => row.id));
    const ids: string[] = [];
    for (let k = 0; lists.some((l) => k < l.length); k++) for (const l of lists) if (k < l.length) ids.push(l[k]!);
    await enqueue(env, ids);
    fed += ids.length;
  }
  return fed;
}

/** Sends the messages, 100 to a `sendBatch`; on failure the rest go back to waiting for the next feed. */
export async function enqueue(env: Env, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 100) {
    const part = ids.slice(i, i + 100);
    try {
      await env.EMAIL_QUEUE.sendBatch(
        part.map((notificationId) => ({
          body: { notificationId } satisfies EmailMessage,
          contentType: "json" as const,
        })),
      );
    } catch (e) {
      console.error(
        JSON.stringify({
          msg: "e-mail queue send failed; the next feed retries",
          count: ids.length - i,
          error: errorText(e),
        }),
      );
      await markNotEnqueued(env, ids.slice(i));
      return;
    }
  }
}

/** Hand-off to the queue failed: the e-mails wait for the next feed. */
export async function markNotEnqueued(env: Env, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await env.DB.prepare(
    "UPDATE email_notifications SET enqueued_at = NULL WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'New'",
  )
    .bind(JSON.stringify(ids))
    .run();
}

/** Orders whose e-mails may be waiting: every order still Processing (bounded). */
export async function processingOrders(env: Env, now: Date, limit = MAX_FEED_PER_TICK): Promise<string[]> {
  // Least recently topped up first (never: first of all), and stamped: past the limit, every order
  // takes its turn instead of the same `limit` orders every tick.
  const { results } = await env.DB.prepare(
    `UPDATE notification_orders SET last_fed_at = ?1
      WHERE id IN (SELECT id FROM notification_orders WHERE status = 'Processing' ORDER BY last_fed_at LIMIT ?2)
      RETURNING id`,
  )
    .bind(now.toISOString(), limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

/** Sends whose consumer died (lease ran out): back to waiting. Returns the orders touched. */
export const RESET_STUCK_SENDS = `
UPDATE email_notifications SET status = 'New', sending_until = NULL, enqueued_at = NULL, last_update = ?1
 WHERE id IN (SELECT id FROM email_notifications WHERE status = 'Sending' AND sending_until < ?1 LIMIT ?2)
 RETURNING order_id`;

/** Messages lost (handed over long ago, due long ago, still New): back to waiting. */
export const RESET_LOST_MESSAGES = `
UPDATE email_notifications SET enqueued_at = NULL
 WHERE id IN (SELECT id FROM email_notifications WHERE status = 'New' AND enqueued_at < ?1 AND due_at < ?1 LIMIT ?2)
 RETURNING order_id`;

/** Not handed to the provider within the TTL: Failed_TTL. */
export const EXPIRE_NEW = `
UPDATE email_notifications SET status = 'Failed_TTL', last_update = ?1, sending_until = NULL
 WHERE id IN (SELECT id FROM email_notifications WHERE status = 'New' AND expires_at < ?1 LIMIT ?2)
 RETURNING order_id`;

async function sweep(env: Env, sql: string, at: Date, limit: number): Promise<string[]> {
  const { results } = await env.DB.prepare(sql).bind(at.toISOString(), limit).all<{ order_id: string }>();
  return results.map((r) => r.order_id);
}

export const resetStuckSends = (env: Env, now: Date, limit: number) => sweep(env, RESET_STUCK_SENDS, now, limit);
export const resetLostMessages = (env: Env, now: Date, limit: number) =>
  sweep(env, RESET_LOST_MESSAGES, new Date(now.getTime() - LOST_AFTER_MS), limit);
export const expireNew = (env: Env, now: Date, limit: number) => sweep(env, EXPIRE_NEW, now, limit);
