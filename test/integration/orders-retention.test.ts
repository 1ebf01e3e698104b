/**
 * Issue 8.4 (orders half): retention of orders and their e-mails counted from the final state, in
 * bounded batches; and EXPLAIN QUERY PLAN checks that the order claim, the feeder, every e-mail sweep
 * and the retention statements read through an index (no SCAN of a table, no temp B-tree).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { EXPIRE_NEW, RESET_LOST_MESSAGES, RESET_STUCK_SENDS } from "../../src/notifications/email-outbox";
import {
  DELETE_EMPTY_ORDERS,
  DELETE_OLD_RECEIPTS,
  DELETE_ORDER_NOTIFICATIONS,
  DELETE_ORDER_SMS,
  EXPIRED_ORDERS,
  purgeOrders,
} from "../../src/notifications/retention";
import { expectIndexed, queryPlan } from "../helpers/query-plan";

const DAY = 86_400_000;
const NOW = new Date("2027-06-01T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

async function order(id: string, status: string, lastUpdate: string, notifications: number): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO notification_orders (id, creator, created, requested_send_time, subject, body, content_type, from_address, recipients, recipient_count, status, last_update, next_recipient)
     VALUES (?1, 'ttd', ?2, ?2, 's', 'b', 'Plain', 'a@b.no', '[]', ?3, ?4, ?2, ?3)`,
  )
    .bind(id, lastUpdate, notifications, status)
    .run();
  await env.DB.prepare(
    `INSERT INTO email_notifications (id, order_id, dedup_key, email_address, status, last_update, due_at, expires_at)
     SELECT ?1 || '-' || value, ?1, 'k' || value, 'r' || value || '@example.com', 'Delivered', ?2, ?2, ?2 FROM generate_series(1, ?3)`,
  )
    .bind(id, lastUpdate, notifications)
    .run()
    .catch(async () => {
      // No generate_series in this SQLite: a recursive CTE does the same.
      await env.DB.prepare(
        `WITH RECURSIVE s(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM s WHERE v < ?3)
       INSERT INTO email_notifications (id, order_id, dedup_key, email_address, status, last_update, due_at, expires_at)
       SELECT ?1 || '-' || v, ?1, 'k' || v, 'r' || v || '@example.com', 'Delivered', ?2, ?2, ?2 FROM s`,
      )
        .bind(id, lastUpdate, notifications)
        .run();
    });
}

const exists = async (id: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM notification_orders WHERE id = ?1").bind(id).first<{ n: number }>())!
    .n === 1;
const emails = async (id: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM email_notifications WHERE order_id = ?1")
    .bind(id)
    .first<{ n: number }>())!.n;

describe("order retention (RETENTION_ORDERS, from the final state)", () => {
  it("removes final orders older than the retention with their e-mails, keeps newer and unfinished ones", async () => {
    const e: Env = { ...env, RETENTION_ORDERS: "30d" };
    await order("ret-old-completed", "Completed", ago(31 * DAY), 3);
    await order("ret-old-cancelled", "Cancelled", ago(40 * DAY), 0);
    await order("ret-old-condition", "SendConditionNotMet", ago(31 * DAY), 0);
    await order("ret-new-completed", "Completed", ago(29 * DAY), 2);
    // Created long ago but never final: kept, whatever its age.
    await order("ret-old-processing", "Processing", ago(90 * DAY), 2);
    await purgeOrders(e, NOW);
    expect(await exists("ret-old-completed")).toBe(false);
    expect(await emails("ret-old-completed")).toBe(0);
    expect(await exists("ret-old-cancelled")).toBe(false);
    expect(await exists("ret-old-condition")).toBe(false);
    expect(await exists("ret-new-completed")).toBe(true);
    expect(await emails("ret-new-completed")).toBe(2);
    expect(await exists("ret-old-processing")).toBe(true);
    expect(await emails("ret-old-processing")).toBe(2);
  });

  it("removes an SMS order's SMS with it, and keeps a newer SMS order's", async () => {
    const e: Env = { ...env, RETENTION_ORDERS: "30d" };
    const sms = async (orderId: string, lastUpdate: string) => {
      await order(orderId, "Completed", lastUpdate, 0);
      await env.DB.prepare("UPDATE notification_orders SET notification_channel = 'Sms' WHERE id = ?1")
        .bind(orderId)
        .run();
      for (const n of [1, 2])
        await env.DB.prepare(
          `INSERT INTO sms_notifications (id, order_id, dedup_key, mobile_number, status, last_update, due_at, expires_at)
           VALUES (?1 || '-sms-' || ?3, ?1, 'k' || ?3, '+4740000000', 'Delivered', ?2, ?2, ?2)`,
        )
          .bind(orderId, lastUpdate, n)
          .run();
    };
    const smsCount = async (id: string) =>
      (await env.DB.prepare("SELECT count(*) AS n FROM sms_notifications WHERE order_id = ?1")
        .bind(id)
        .first<{ n: number }>())!.n;
    await sms("ret-sms-old", ago(31 * DAY));
    await sms("ret-sms-new", ago(29 * DAY));
    await purgeOrders(e, NOW);
    expect(await exists("ret-sms-old")).toBe(false);
    expect(await smsCount("ret-sms-old")).toBe(0);
    expect(await exists("ret-sms-new")).toBe(true);
    expect(await smsCount("ret-sms-new")).toBe(2);
    // Leave nothing behind for the batch-counting test below.
    await env.DB.prepare("DELETE FROM sms_notifications WHERE order_id = 'ret-sms-new'").run();
    await env.DB.prepare("DELETE FROM notification_orders WHERE id = 'ret-sms-new'").run();
  });

  it("removes a large order in bounded batches over several ticks, e-mails first", async () => {
    const e: Env = { ...env, RETENTION_ORDERS: "1d" };
    await order("ret-large", "Completed", ago(2 * DAY), 25_000);
    const first = await purgeOrders(e, NOW);
    // One tick removes at most 10 rounds of 2,000 e-mails; the order stays until its e-mails are gone.
    expect(first.notifications).toBe(20_000);
    expect(await exists("ret-large")).toBe(true);
    expect(await emails("ret-large")).toBeGreaterThanOrEqual(5_000);
    await purgeOrders(e, NOW);
    expect(await emails("ret-large")).toBe(0);
    expect(await exists("ret-large")).toBe(false);
  });
});

describe("query plans of the order and e-mail hot paths", () => {
  const t = NOW.toISOString();
  // The claim's two arms are LIMITed subqueries: scanning their (bounded) results is fine.
  const plans: [string, string, unknown[], string[]?][] = [
    [
      "order claim",
      `SELECT id FROM (SELECT id FROM notification_orders WHERE status = 'Processing' AND lease_until < ?1 LIMIT ?2)
       UNION ALL
       SELECT id FROM (SELECT id FROM notification_orders
                        WHERE status = 'Registered' AND requested_send_time <= ?1 AND (not_before IS NULL OR not_before <= ?1)
                        ORDER BY requested_send_time LIMIT ?2)`,
      [t, 10],
      ["(subquery-1)", "(subquery-3)"],
    ],
    ["processing orders", "SELECT id FROM notification_orders WHERE status = 'Processing' LIMIT ?1", [1000]],
    [
      "feeder",
      `SELECT id FROM email_notifications
        WHERE order_id = ?1 AND status = 'New' AND enqueued_at IS NULL AND due_at <= ?2
        LIMIT max(0, ?3
          - (SELECT count(*) FROM email_notifications WHERE order_id = ?1 AND status = 'Sending')
          - (SELECT count(*) FROM email_notifications
              WHERE order_id = ?1 AND status = 'New' AND enqueued_at IS NOT NULL AND due_at <= enqueued_at))`,
      ["o", t, 100],
    ],
    ["stuck sends", RESET_STUCK_SENDS, [t, 1000]],
    ["lost messages", RESET_LOST_MESSAGES, [t, 1000]],
    ["TTL expiry", EXPIRE_NEW, [t, 1000]],
    ["expired orders", EXPIRED_ORDERS, [t, 50]],
    ["their e-mails", DELETE_ORDER_NOTIFICATIONS, ['["a","b"]', 2000]],
    ["their SMS", DELETE_ORDER_SMS, ['["a","b"]', 2000]],
    ["empty orders", DELETE_EMPTY_ORDERS, ['["a","b"]']],
    ["webhook receipts", DELETE_OLD_RECEIPTS, [t, 2000]],
  ];
  for (const [name, sql, binds, allowScan] of plans) {
    it(`${name} reads through an index`, async () => {
      expectIndexed(await queryPlan(env.DB, sql, ...binds), allowScan);
    });
  }
});
