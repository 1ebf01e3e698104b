/**
 * Issue 8.6 and 7.7: orders within D1's limits, never stuck, and fair between tenants. D1's limits are
 * applied by test/helpers/d1-limits.ts (local D1 enforces neither the 2 MB value nor 100 parameters);
 * the e-mail queue is a recording stand-in so the order in which e-mails are handed over can be read.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { storeOrganizations } from "../../src/contacts/queries";
import type { Env } from "../../src/env";
import { FEED_WINDOW } from "../../src/notifications/email-outbox";
import { MAX_ORDER_FAILURES, processDueOrders, sweepEmails } from "../../src/notifications/processing";
import { call, postJson } from "../helpers/http";
import { D1_MAX_VALUE_BYTES, limitedD1 } from "../helpers/d1-limits";
import { recordingQueue } from "../helpers/recording-queue";
import { altinnToken, bearer } from "../helpers/tokens";

const ORDERS = "/notifications/api/v1/orders";
const DUE = Date.now() + 10 * 60_000;
let ttd: Record<string, string>;
let skd: Record<string, string>;

async function place(headers: Record<string, string>, body: Record<string, unknown>): Promise<string> {
  const res = await postJson(`${ORDERS}/email`, { subject: "s", body: "b", ...body }, headers);
  if (res.status !== 202) throw new Error(`order: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { orderId: string }).orderId;
}

async function orderStatus(headers: Record<string, string>, id: string) {
  return (
    (await (await call(`${ORDERS}/${id}/status`, { headers })).json()) as {
      processingStatus: { status: string; description: string };
    }
  ).processingStatus;
}

const count = async (orderId: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM email_notifications WHERE order_id = ?1")
    .bind(orderId)
    .first<{ n: number }>())!.n;

beforeAll(async () => {
  ttd = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
  skd = bearer(await altinnToken({ org: "skd", scope: "altinn:serviceowner/notifications.create" }));
});

describe("an order within D1's limits", () => {
  it("generates a chunk of 500 organisations with 20 long addresses each (several MB) without a value over 2 MB", async () => {
    const orgNos = Array.from({ length: 500 }, (_, i) => String(930_000_000 + i));
    const pad = "x".repeat(50);
    await storeOrganizations(
      env,
      orgNos.map((orgNo) => ({
        orgNo,
        name: `Organisasjon ${orgNo} ${"AS ".repeat(30)}`,
        emails: Array.from({ length: 20 }, (_, k) => `postmottak-${k}-${pad}@${orgNo}.example.no`),
        mobiles: [],
      })),
      new Date(),
    );
    const when = DUE;
    const id = await place(ttd, {
      recipients: orgNos.map((organizationNumber) => ({ organizationNumber })),
      requestedSendTime: new Date(when).toISOString(),
    });
    const db = limitedD1(env.DB);
    const limited: Env = { ...env, DB: db, EMAIL_QUEUE: recordingQueue().queue };
    await processDueOrders(limited, new Date(when + 1000));
    expect(db.stats.refused).toBe(0);
    expect(db.stats.largestValue).toBeLessThanOrEqual(D1_MAX_VALUE_BYTES);
    expect(await count(id)).toBe(10_000);
    // Generation finished: the claim is released (no lease left to run out and retry forever).
    const row = await env.DB.prepare(
      "SELECT next_recipient, recipient_count, lease_until FROM notification_orders WHERE id = ?1",
    )
      .bind(id)
      .first();
    expect(row).toEqual({ next_recipient: 500, recipient_count: 500, lease_until: null });
  });

  it("ends an order whose processing fails every time in a final state with the reason, instead of Processing forever", async () => {
    const when = DUE + 3600_000;
    const id = await place(ttd, {
      recipients: [{ emailAddress: "never@example.com" }],
      requestedSendTime: new Date(when).toISOString(),
    });
    // Every transaction fails (as a chunk over D1's limits did on every lease).
    const broken: Env = {
      ...env,
      DB: limitedD1(env.DB, { failBatch: () => true }),
      EMAIL_QUEUE: recordingQueue().queue,
    };
    for (let i = 0; i < MAX_ORDER_FAILURES; i++) {
      expect((await orderStatus(ttd, id)).status).toBe(i === 0 ? "Registered" : "Processing");
      await processDueOrders(broken, new Date(when + 1000 + i * 61_000));
    }
    const status = await orderStatus(ttd, id);
    expect(status.status).toBe("Completed");
    expect(status.description).toMatch(
      /stopped after 5 failed attempts; 1 of 1 recipients were not processed\. Last error: .*injected batch failure/,
    );
  });
});

describe("the order processor serves tenants fairly", () => {
  it("puts at most one batch of one org's 10,000-recipient order ahead of another org's single e-mail", async () => {
    const when = DUE + 2 * 3600_000;
    const big = await place(ttd, {
      recipients: Array.from({ length: 10_000 }, (_, i) => ({ emailAddress: `many${i}@example.com` })),
      requestedSendTime: new Date(when).toISOString(),
    });
    // Due a second later: claimed together with the big one, or behind it.
    const small = await place(skd, {
      recipients: [{ emailAddress: "single@example.com" }],
      requestedSendTime: new Date(when + 1000).toISOString(),
    });
    const q = recordingQueue();
    const fair: Env = { ...env, EMAIL_QUEUE: q.queue };
    await processDueOrders(fair, new Date(when + 2000));
    await sweepEmails(fair, new Date(when + 2000));
    expect(await count(big)).toBe(10_000);
    const single = (await env.DB.prepare("SELECT id FROM email_notifications WHERE order_id = ?1")
      .bind(small)
      .first<{ id: string }>())!.id;
    const position = q.ids.indexOf(single);
    expect(position).toBeGreaterThanOrEqual(0);
    // Ahead of it: at most one consumer batch (FEED_WINDOW = 100) of the big order's e-mails.
    expect(position).toBeLessThanOrEqual(FEED_WINDOW);
    // And the big order is not starved either: its window is full, and no more than that is handed over.
    const { results } = await env.DB.prepare(
      "SELECT id FROM email_notifications WHERE order_id = ?1 AND enqueued_at IS NOT NULL",
    )
      .bind(big)
      .all<{ id: string }>();
    expect(results.length).toBe(FEED_WINDOW);
    expect(results.every((r) => q.ids.includes(r.id))).toBe(true);
  });
});
