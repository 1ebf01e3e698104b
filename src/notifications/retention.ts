/**
 * Retention of orders, their e-mails and the webhook receipts (SPEC §7.2): an order is removed
 * RETENTION_ORDERS after its final state (its last update as Completed, SendConditionNotMet or
 * Cancelled), its e-mails and SMS first, in bounded batches per cron tick, every statement through an index.
 * The current order API's status feed entries and idempotency keys go RETENTION_ORDERS after they were written.
 */
import type { Env } from "../env";
import { retentionSettings } from "../retention/settings";

/** Final orders looked at per round, e-mails deleted per statement, rounds per tick. */
const ORDERS_PER_ROUND = 50;
const NOTIFICATIONS_PER_DELETE = 2000;
const ROUNDS = 10;
/** Provider webhook delivery ids are remembered this long (replays come within days). */
export const WEBHOOK_RECEIPT_MS = 7 * 86_400_000;

export const EXPIRED_ORDERS = `
SELECT id FROM notification_orders
 WHERE status IN ('Completed', 'SendConditionNotMet', 'Cancelled') AND last_update < ?1
 LIMIT ?2`;
export const DELETE_ORDER_NOTIFICATIONS = `
DELETE FROM email_notifications
 WHERE seq IN (SELECT seq FROM email_notifications WHERE order_id IN (SELECT value FROM json_each(?1)) LIMIT ?2)`;
export const DELETE_ORDER_SMS = `
DELETE FROM sms_notifications
 WHERE seq IN (SELECT seq FROM sms_notifications WHERE order_id IN (SELECT value FROM json_each(?1)) LIMIT ?2)`;
export const DELETE_EMPTY_ORDERS = `
DELETE FROM notification_orders
 WHERE id IN (SELECT value FROM json_each(?1))
   AND NOT EXISTS (SELECT 1 FROM email_notifications n WHERE n.order_id = notification_orders.id)
   AND NOT EXISTS (SELECT 1 FROM sms_notifications s WHERE s.order_id = notification_orders.id)`;
/** The current order API's status feed and idempotency keys, RETENTION_ORDERS after they were written. */
export const DELETE_OLD_FEED = `
DELETE FROM future_status_feed WHERE seq IN (SELECT seq FROM future_status_feed WHERE created < ?1 LIMIT ?2)`;
export const DELETE_OLD_KEYS = `
DELETE FROM future_idempotency WHERE rowid IN (SELECT rowid FROM future_idempotency WHERE created < ?1 LIMIT ?2)`;
export const DELETE_OLD_RECEIPTS = `
DELETE FROM email_webhook_receipts WHERE id IN (SELECT id FROM email_webhook_receipts WHERE received_at < ?1 LIMIT ?2)`;

export interface Purged {
  orders: number;
  notifications: number;
}

/** One tick's share of retention; returns what it removed. */
export async function purgeOrders(env: Env, now: Date): Promise<Purged> {
  const cutoff = new Date(now.getTime() - retentionSettings(env).ordersMs).toISOString();
  const purged: Purged = { orders: 0, notifications: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const { results } = await env.DB.prepare(EXPIRED_ORDERS).bind(cutoff, ORDERS_PER_ROUND).all<{ id: string }>();
    if (!results.length) break;
    const ids = JSON.stringify(results.map((r) => r.id));
    const removed = await env.DB.prepare(DELETE_ORDER_NOTIFICATIONS).bind(ids, NOTIFICATIONS_PER_DELETE).run();
    purged.notifications += removed.meta.changes ?? 0;
    const removedSms = await env.DB.prepare(DELETE_ORDER_SMS).bind(ids, NOTIFICATIONS_PER_DELETE).run();
    purged.notifications += removedSms.meta.changes ?? 0;
    // Orders whose e-mails are all gone go too; a large order loses its e-mails over several rounds first.
    const orders = await env.DB.prepare(DELETE_EMPTY_ORDERS).bind(ids).run();
    purged.orders += orders.meta.changes ?? 0;
  }
  for (const sql of [DELETE_OLD_FEED, DELETE_OLD_KEYS])
    for (let round = 0; round < ROUNDS; round++) {
      const removed = await env.DB.prepare(sql).bind(cutoff, NOTIFICATIONS_PER_DELETE).run();
      if ((removed.meta.changes ?? 0) < NOTIFICATIONS_PER_DELETE) break;
    }
  const receiptsBefore = new Date(now.getTime() - WEBHOOK_RECEIPT_MS).toISOString();
  await env.DB.prepare(DELETE_OLD_RECEIPTS).bind(receiptsBefore, NOTIFICATIONS_PER_DELETE).run();
  return purged;
}
