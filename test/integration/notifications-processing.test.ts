import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { emailProvider } from "../../src/email/select";
import worker from "../../src/index";
import { consumeEmailBatch } from "../../src/notifications/consumer";
import { claimOrders } from "../../src/notifications/queries";
import { call, postJson } from "../helpers/http";
import { putResource } from "../helpers/admin";
import { seedContacts } from "./orders-fixtures";
import { altinnToken, bearer } from "../helpers/tokens";

const ORDERS = "/notifications/api/v1/orders";
let ttd: Record<string, string>;
// Orders here are due a few minutes ahead; ticks run with a scheduled time after that.
const DUE = Date.now() + 6 * 60_000;
const at = (offsetMs: number) => new Date(DUE + offsetMs);

async function place(body: Record<string, unknown>): Promise<string> {
  const res = await postJson(
    `${ORDERS}/email`,
    {
      subject: "Til $recipientName$",
      body: "Nr $recipientNumber$",
      requestedSendTime: new Date(DUE).toISOString(),
      ...body,
    },
    ttd,
  );
  if (res.status !== 202) throw new Error(`order: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { orderId: string }).orderId;
}

async function tick(when: Date): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: when, cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

interface Row {
  id: string;
  email_address: string | null;
  status: string;
  attempts: number;
  recipient_name: string;
  recipient_number: string;
  due_at: string;
}
async function rows(orderId: string): Promise<Row[]> {
  const { results } = await env.DB.prepare(
    "SELECT id, email_address, status, attempts, recipient_name, recipient_number, due_at FROM email_notifications WHERE order_id = ?1 ORDER BY seq",
  )
    .bind(orderId)
    .all<Row>();
  return results;
}
async function orderStatus(orderId: string): Promise<string> {
  return (
    (await (await call(`${ORDERS}/${orderId}/status`, { headers: ttd })).json()) as {
      processingStatus: { status: string };
    }
  ).processingStatus.status;
}

beforeAll(async () => {
  ttd = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
  await seedContacts([
    ["persons/01018012345", { name: "Ola Nordmann", email: "ola@example.com", mobile: null, reserved: false }],
    ["persons/02028012345", { name: "Kari Reservert", email: "kari@example.com", mobile: null, reserved: true }],
    ["organizations/920000111", { name: "Eksempel AS", emails: ["post@eksempel.example"] }],
  ]);
});

describe("the cron claims due orders", () => {
  it("never hands one order to two overlapping claims", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 12; i++)
      ids.add(
        await place({
          recipients: [{ emailAddress: `claim${i}@example.com` }],
          requestedSendTime: new Date(DUE + 3600_000).toISOString(),
        }),
      );
    const when = at(3600_000 + 1000);
    const [a, b] = await Promise.all([
      claimOrders(env, when, "tick-a", at(3600_000 + 60_000), 50, 5),
      claimOrders(env, when, "tick-b", at(3600_000 + 60_000), 50, 5),
    ]);
    const mine = (list: { id: string }[]) => list.map((o) => o.id).filter((id) => ids.has(id));
    expect(mine(a).filter((id) => mine(b).includes(id))).toEqual([]);
    expect(new Set([...mine(a), ...mine(b)])).toEqual(ids);
  });

  it("processes each order once with two overlapping ticks: one e-mail per address, personalised per recipient", async () => {
    const orderIds: string[] = [];
    for (let i = 0; i < 25; i++) {
      orderIds.push(
        await place({
          recipients: [
            { emailAddress: `person${i}@example.com` },
            { nationalIdentityNumber: "01018012345" },
            { organizationNumber: "920000111" },
            { emailAddress: "OLA@example.com" },
            { emailAddress: `Person${i}@Example.com` },
          ],
        }),
      );
    }
    await Promise.all([tick(at(60_000)), tick(at(60_000))]);
    for (const [i, id] of orderIds.entries()) {
      const r = await rows(id);
      expect(r.map((n) => [n.email_address, n.recipient_name, n.recipient_number])).toEqual([
        [`person${i}@example.com`, "", ""],
        ["ola@example.com", "Ola Nordmann", ""],
        ["post@eksempel.example", "Eksempel AS", "920000111"],
      ]);
      for (const n of r) expect(["New", "Sending"]).toContain(n.status);
      expect(await orderStatus(id)).toBe("Processing");
    }
  });

  it("fails reserved and unknown recipients and completes an order with nothing to send", async () => {
    const id = await place({
      recipients: [
        { nationalIdentityNumber: "02028012345" },
        { nationalIdentityNumber: "09098012345" },
        { organizationNumber: "999999998" },
      ],
    });
    await tick(at(60_000));
    const list = (await (await call(`${ORDERS}/${id}/notifications/email`, { headers: ttd })).json()) as {
      generated: number;
      succeeded: number;
      notifications: { recipient: Record<string, unknown>; sendStatus: { status: string } }[];
    };
    expect(list.generated).toBe(3);
    expect(list.succeeded).toBe(0);
    expect(list.notifications.map((n) => [n.recipient, n.sendStatus.status])).toEqual([
      [{ emailAddress: null, nationalIdentityNumber: "02028012345", isReserved: true }, "Failed_RecipientReserved"],
      [{ emailAddress: null, nationalIdentityNumber: "09098012345" }, "Failed_RecipientNotIdentified"],
      [{ emailAddress: null, organizationNumber: "999999998" }, "Failed_RecipientNotIdentified"],
    ]);
    expect(await orderStatus(id)).toBe("Completed");
  });

  it("reaches an organisation's users who opted in to the order's resource and may read it", async () => {
    await putResource("ttd-orders-test", "ttd", [{ subject: "/user/2001", actions: ["read"] }]);
    await seedContacts([
      [
        "organizations/920000222/users/2001",
        { email: "reader@example.com", resources: ["urn:altinn:resource:ttd-orders-test"] },
      ],
      [
        "organizations/920000222/users/2002",
        { email: "no-right@example.com", resources: ["urn:altinn:resource:ttd-orders-test"] },
      ],
      ["organizations/920000222/users/2003", { email: "not-opted-in@example.com", resources: [] }],
    ]);
    const without = await place({ recipients: [{ organizationNumber: "920000222" }] });
    const withResource = await place({
      recipients: [{ organizationNumber: "920000222" }],
      resourceId: "urn:altinn:resource:ttd-orders-test",
    });
    await tick(at(60_000));
    expect((await rows(without)).map((n) => n.status)).toEqual(["Failed_RecipientNotIdentified"]);
    expect((await rows(withResource)).map((n) => [n.email_address, n.recipient_number])).toEqual([
      ["reader@example.com", "920000222"],
    ]);
  });

  it("retries an inconclusive send condition a minute later, then sends", async () => {
    const id = await place({
      recipients: [{ emailAddress: "cond@example.com" }],
      conditionEndpoint: "http://127.0.0.1:9/condition",
      requestedSendTime: new Date(DUE + 7200_000).toISOString(),
    });
    await tick(at(7200_000 + 1000));
    expect(await orderStatus(id)).toBe("Registered");
    expect(await rows(id)).toEqual([]);
    await tick(at(7200_000 + 31_000));
    expect(await rows(id)).toEqual([]);
    await tick(at(7200_000 + 62_000));
    expect((await rows(id)).map((n) => n.email_address)).toEqual(["cond@example.com"]);
  });

  it("processes 1,200 recipients in chunks without a statement over D1's limits", async () => {
    const recipients = Array.from({ length: 1200 }, (_, i) => ({ emailAddress: `bulk${i}@example.com` }));
    const id = await place({ recipients, requestedSendTime: new Date(DUE + 3 * 3600_000).toISOString() });
    await tick(at(3 * 3600_000 + 1000));
    const r = await rows(id);
    expect(r.length).toBe(1200);
    expect(new Set(r.map((n) => n.email_address)).size).toBe(1200);
  });
});

describe("the e-mail consumer", () => {
  const down = { ...env, EMAIL_PROVIDER: "smtp", SMTP_HOST: "127.0.0.1", SMTP_PORT: "1", EMAIL_RETRY_SCHEDULE: "5,10" };

  async function deliver(notificationId: string, now: Date, attempts = 1) {
    const batch = createMessageBatch("varsel-email", [
      { id: `m-${crypto.randomUUID()}`, timestamp: now, attempts, body: { notificationId } },
    ]);
    const ctx = createExecutionContext();
    await consumeEmailBatch(batch, down, emailProvider(down), () => now);
    return getQueueResult(batch, ctx);
  }

  it("keeps an e-mail when the provider is down, retries it later, and never sends it twice at once", async () => {
    const id = await place({
      recipients: [{ emailAddress: "down@example.com" }],
      requestedSendTime: new Date(DUE + 4 * 3600_000).toISOString(),
    });
    await tick(at(4 * 3600_000 + 1000));
    const [n] = await rows(id);
    const t = at(4 * 3600_000 + 2000);
    const first = await deliver(n!.id, t);
    expect(first.retryMessages).toHaveLength(1);
    expect((await rows(id))[0]).toMatchObject({
      status: "New",
      attempts: 1,
      due_at: new Date(t.getTime() + 5000).toISOString(),
    });
    // The same message again before its retry is due: not sent, asked to come back later.
    const early = await deliver(n!.id, t, 2);
    expect(early.retryMessages).toHaveLength(1);
    expect((await rows(id))[0]).toMatchObject({ status: "New", attempts: 1 });
    const later = await deliver(n!.id, new Date(t.getTime() + 6000), 2);
    expect(later.retryMessages).toHaveLength(1);
    expect((await rows(id))[0]).toMatchObject({
      status: "New",
      attempts: 2,
      due_at: new Date(t.getTime() + 16_000).toISOString(),
    });
  });

  it("acknowledges a message for an e-mail already sent without sending again", async () => {
    const id = await place({
      recipients: [{ emailAddress: "sent@example.com" }],
      requestedSendTime: new Date(DUE + 5 * 3600_000).toISOString(),
    });
    await tick(at(5 * 3600_000 + 1000));
    const [n] = await rows(id);
    await env.DB.prepare("UPDATE email_notifications SET status = 'Succeeded' WHERE id = ?1").bind(n!.id).run();
    const res = await deliver(n!.id, at(5 * 3600_000 + 2000));
    expect(res.explicitAcks).toHaveLength(1);
    expect(res.retryMessages).toEqual([]);
    expect((await rows(id))[0]).toMatchObject({ status: "Succeeded", attempts: 0 });
  });

  it("fails an e-mail not sent within 48 hours with Failed_TTL and completes the order", async () => {
    const id = await place({
      recipients: [{ emailAddress: "late@example.com" }, { emailAddress: "later@example.com" }],
      requestedSendTime: new Date(DUE + 6 * 3600_000).toISOString(),
    });
    await tick(at(6 * 3600_000 + 1000));
    const [n] = await rows(id);
    const res = await deliver(n!.id, at(6 * 3600_000 + 49 * 3600_000));
    expect(res.explicitAcks).toHaveLength(1);
    expect((await rows(id))[0]!.status).toBe("Failed_TTL");
    // The cron's sweep catches the one whose message never came.
    await tick(at(6 * 3600_000 + 49 * 3600_000));
    expect((await rows(id)).map((r) => r.status)).toEqual(["Failed_TTL", "Failed_TTL"]);
    expect(await orderStatus(id)).toBe("Completed");
  });
});
