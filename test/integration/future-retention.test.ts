/**
 * The current order API's status feed and idempotency keys: purged RETENTION_ORDERS after they were
 * written (with the shipments themselves, through the orders' retention), and the feed's reads and
 * purges go through indexes.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { CLAIM_INSTANT_SQL } from "../../src/notifications/future/instant";
import { FEED_ASC_SQL, FEED_DESC_SQL, feedPage } from "../../src/notifications/future/views";
import { DELETE_OLD_FEED, DELETE_OLD_KEYS, purgeOrders } from "../../src/notifications/retention";
import { expectIndexed, queryPlan } from "../helpers/query-plan";

const DAY = 86_400_000;
const NOW = new Date("2027-09-01T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

/** A finished Future shipment: the trigger writes its feed entry when it becomes Completed. */
async function finishedShipment(id: string, creator: string, finishedAt: string): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO notification_orders (id, creator, created, requested_send_time, subject, body, content_type, from_address, recipients, recipient_count,
       status, last_update, next_recipient, notification_channel, shipment_type, chain_id, channel_schema)
     VALUES (?1, ?2, ?3, ?3, 's', 'b', 'Plain', 'a@b.no', '[]', 1, 'Processing', ?3, 1, 'Future', 'Notification', ?1, 'Email')`,
  )
    .bind(id, creator, finishedAt)
    .run();
  await env.DB.prepare(
    `INSERT INTO email_notifications (id, order_id, dedup_key, email_address, status, last_update, due_at, expires_at)
     VALUES (?1 || '-e', ?1, 'k', 'r@example.com', 'Delivered', ?2, ?2, ?2)`,
  )
    .bind(id, finishedAt)
    .run();
  await env.DB.prepare("UPDATE notification_orders SET status = 'Completed', last_update = ?2 WHERE id = ?1")
    .bind(id, finishedAt)
    .run();
  await env.DB.prepare(
    "INSERT INTO future_idempotency (creator, kind, idempotency_id, created, response) VALUES (?1, 'Notification', ?2, ?3, '{}')",
  )
    .bind(creator, id, finishedAt)
    .run();
}

describe("status feed retention (RETENTION_ORDERS)", () => {
  it("purges old feed entries, keys and shipments; a cursor into removed history reads on from the oldest kept", async () => {
    const e: Env = { ...env, RETENTION_ORDERS: "90d" };
    await finishedShipment("fr-old", "retorg", ago(91 * DAY));
    await finishedShipment("fr-new", "retorg", ago(10 * DAY));
    const before = await feedPage(e, "retorg", 0, 500, "Asc");
    expect(before.map((x) => x.shipmentId)).toEqual(["fr-old", "fr-new"]);
    expect(before[1]).toMatchObject({ recipients: [{ destination: "r@example.com", status: "Email_Delivered" }] });
    await purgeOrders(e, NOW);
    const after = await feedPage(e, "retorg", 0, 500, "Asc");
    expect(after.map((x) => x.shipmentId)).toEqual(["fr-new"]);
    // The removed entry's seq as a cursor: reading on from the oldest kept entry.
    expect(
      (await feedPage(e, "retorg", before[0]!.sequenceNumber as number, 500, "Asc")).map((x) => x.shipmentId),
    ).toEqual(["fr-new"]);
    const keys = await env.DB.prepare("SELECT idempotency_id FROM future_idempotency WHERE creator = 'retorg'").all();
    expect(keys.results.map((r) => r.idempotency_id)).toEqual(["fr-new"]);
    const shipments = await env.DB.prepare("SELECT id FROM notification_orders WHERE creator = 'retorg'").all();
    expect(shipments.results.map((r) => r.id)).toEqual(["fr-new"]);
  });

  it("reads and purges through indexes", async () => {
    expectIndexed(await queryPlan(env.DB, FEED_ASC_SQL, "ttd", 0, 500));
    expectIndexed(await queryPlan(env.DB, FEED_DESC_SQL, "ttd", 1e15, 500));
    expectIndexed(await queryPlan(env.DB, DELETE_OLD_FEED, NOW.toISOString(), 2000));
    expectIndexed(await queryPlan(env.DB, DELETE_OLD_KEYS, NOW.toISOString(), 2000));
    expectIndexed(await queryPlan(env.DB, CLAIM_INSTANT_SQL, "ttd", "k", NOW.toISOString(), NOW.toISOString()));
  });
});
