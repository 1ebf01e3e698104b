import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { EmailProvider } from "../../src/email/provider";
import worker from "../../src/index";
import { consumeEmailBatch } from "../../src/notifications/consumer";
import { consumeSmsBatch } from "../../src/sms/consumer";
import { localHour } from "../../src/sms/daytime";
import { linkMobilityProvider } from "../../src/sms/provider";
import { BASE, call, postJson } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";
import { seedContacts } from "./orders-fixtures";

const FUTURE = "/notifications/api/v1/future";
const SCOPE = "altinn:serviceowner/notifications.create";
let ttd: Record<string, string>;
let other: Record<string, string>;
const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
const key = () => `k-${crypto.randomUUID()}`;

const toMail = (address = "kari@example.no") => ({
  recipientEmail: { emailAddress: address, emailSettings: { subject: "Hei", body: "Melding til $recipientName$" } },
});

async function order(body: Record<string, unknown>, headers = ttd): Promise<Response> {
  return postJson(`${FUTURE}/orders`, { idempotencyId: key(), recipient: toMail(), ...body }, headers);
}
async function coded(res: Response) {
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  return res.json<{ type: string; title: string; detail: string; status: number; code: string; traceId: string }>();
}
async function shipment(id: string, headers = ttd) {
  const res = await call(`${FUTURE}/shipment/${id}`, { headers });
  expect(res.status).toBe(200);
  return res.json<{
    shipmentId: string;
    type: string;
    status: string;
    sendersReference?: string;
    dialogportenAssociation?: unknown;
    recipients: { type: string; destination: string; status: string }[];
  }>();
}
async function feed(query = "", headers = ttd) {
  const res = await call(`${FUTURE}/shipment/feed${query}`, { headers });
  expect(res.status).toBe(200);
  return res.json<{ sequenceNumber: number; shipmentId: string; status: string; recipients: unknown[] }[]>();
}
async function tick(when = new Date()): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: when, cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}
async function ids(table: "email_notifications" | "sms_notifications", orderId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(`SELECT id FROM ${table} WHERE order_id = ?1 AND status = 'New'`)
    .bind(orderId)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}
const batch = (queue: string, list: string[]) =>
  createMessageBatch(
    queue,
    list.map((notificationId) => ({
      id: `m-${crypto.randomUUID()}`,
      timestamp: new Date(),
      attempts: 1,
      body: { notificationId },
    })),
  );
const okMail: EmailProvider = {
  name: "test",
  send: async () => ({ ok: true, providerMessageId: crypto.randomUUID() }),
};

/** A PSWin gateway behind fetch: answers OK with a REF per message, and counts sessions. */
function gatewayFetch() {
  const sessions: string[] = [];
  const fetcher = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = String(init?.body);
    sessions.push(body);
    const ids = [...body.matchAll(/<ID>(\d+)<\/ID>/g)].map((m) => m[1]);
    const msgs = ids.map(
      (id) => `<MSG><ID>${id}</ID><STATUS>OK</STATUS><INFO></INFO><REF>ref-${crypto.randomUUID()}</REF></MSG>`,
    );
    return new Response(
      `<?xml version="1.0"?><SESSION><LOGON>OK</LOGON><REASON></REASON><MSGLST>${msgs.join("")}</MSGLST></SESSION>`,
    );
  }) as typeof fetch;
  return { sessions, fetcher };
}

beforeAll(async () => {
  ttd = bearer(await altinnToken({ org: "ttd", scope: SCOPE }));
  other = bearer(await altinnToken({ org: "digdir", scope: SCOPE }));
  await seedContacts([
    ["persons/11019012345", { name: "Ola Begge", email: "ola@example.no", mobile: "98765432", reserved: false }],
    ["persons/12019012345", { name: "Uten Kontakt", email: null, mobile: null, reserved: false }],
    ["persons/13019012345", { name: "Bare Mobil", email: null, mobile: "+4797654321", reserved: false }],
    ["organizations/930000222", { name: "Org AS", emails: ["post@org.no"], mobiles: [] }],
  ]);
});
afterEach(() => vi.restoreAllMocks());

describe("POST /future/orders", () => {
  it("authenticates like v1 and checks the notify right on a recipient's resourceId", async () => {
    expect((await postJson(`${FUTURE}/orders`, { idempotencyId: "x", recipient: toMail() })).status).toBe(401);
    expect((await order({}, bearer(await altinnToken({ org: "ttd" })))).status).toBe(403);
    const person = {
      recipientPerson: {
        nationalIdentityNumber: "11019012345",
        channelSchema: "Email",
        resourceId: "urn:altinn:resource:someone-elses",
        emailSettings: { subject: "s", body: "b" },
      },
    };
    expect((await order({ recipient: person })).status).toBe(403);
  });

  it("answers 201 with the chain, its shipment and its reminders; stores dialogportenAssociation", async () => {
    const res = await order({
      sendersReference: "case-1",
      requestedSendTime: inMinutes(60),
      dialogportenAssociation: { dialogId: "d-1", transmissionId: "t-1" },
      reminders: [{ delayDays: 7, sendersReference: "case-1-r", recipient: toMail("per@example.no") }],
    });
    expect(res.status).toBe(201);
    const body = await res.json<{ notificationOrderId: string; notification: any }>();
    expect(res.headers.get("location")).toBe(`${BASE}/notifications/api/v1/orders/chain/${body.notificationOrderId}`);
    expect(body.notification).toEqual({
      shipmentId: expect.any(String),
      sendersReference: "case-1",
      reminders: [{ shipmentId: expect.any(String), sendersReference: "case-1-r" }],
    });
    expect(await shipment(body.notification.shipmentId)).toMatchObject({
      type: "Notification",
      status: "Order_Registered",
      sendersReference: "case-1",
      dialogportenAssociation: { dialogId: "d-1", transmissionId: "t-1" },
      recipients: [],
    });
    const reminder = await shipment(body.notification.reminders[0].shipmentId);
    expect(reminder).toMatchObject({ type: "Reminder", status: "Order_Registered" });
  });

  it("omits reminders and sendersReference when there are none", async () => {
    const body = await (await order({ requestedSendTime: inMinutes(60) })).json<{ notification: object }>();
    expect(Object.keys(body.notification)).toEqual(["shipmentId"]);
  });

  it("answers a repeated idempotencyId with 200 and the first answer, without a second shipment", async () => {
    const idempotencyId = key();
    const first = await order({ idempotencyId, requestedSendTime: inMinutes(60) });
    const again = await order({ idempotencyId, requestedSendTime: inMinutes(90), sendersReference: "changed" });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(await again.json()).toEqual(await first.json());
    // Another org's same key is its own.
    expect((await order({ idempotencyId, requestedSendTime: inMinutes(60) }, other)).status).toBe(201);
  });

  it("two identical requests at once: one 201, one 200, one shipment", async () => {
    const idempotencyId = key();
    const body = { idempotencyId, requestedSendTime: inMinutes(60), sendersReference: `race-${idempotencyId}` };
    const answers = await Promise.all([order(body), order(body), order(body)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    const bodies = await Promise.all(answers.map((r) => r.json<{ notificationOrderId: string }>()));
    expect(new Set(bodies.map((b) => b.notificationOrderId)).size).toBe(1);
    const row = await env.DB.prepare("SELECT count(*) AS n FROM notification_orders WHERE senders_reference = ?1")
      .bind(body.sendersReference)
      .first<{ n: number }>();
    expect(row?.n).toBe(1);
  });

  it("422 NOT-00001 when a looked-up recipient has no contact point for its channel, main or reminder", async () => {
    const person = (nin: string, channelSchema: string) => ({
      recipientPerson: {
        nationalIdentityNumber: nin,
        channelSchema,
        emailSettings: { subject: "s", body: "b" },
        smsSettings: { body: "b" },
      },
    });
    const res = await order({ recipient: person("12019012345", "EmailPreferred") });
    expect(res.status).toBe(422);
    expect(await coded(res)).toEqual({
      type: "urn:altinn:error:NOT-00001",
      title: "Missing contact information for recipient(s)",
      detail: "Missing contact information for recipient(s)",
      status: 422,
      code: "NOT-00001",
      traceId: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/),
    });
    expect((await order({ recipient: person("13019012345", "Email") })).status).toBe(422);
    expect((await order({ recipient: person("13019012345", "EmailPreferred") })).status).toBe(201);
    const reminder = { delayDays: 1, recipient: person("12019012345", "Sms") };
    expect((await order({ requestedSendTime: inMinutes(60), reminders: [reminder] })).status).toBe(422);
  });

  it("400 with a clear text for recipientExternalIdentity", async () => {
    const res = await order({
      recipient: { recipientExternalIdentity: { externalIdentity: "urn:altinn:username:x" } },
    });
    expect(res.status).toBe(400);
    const p = await res.json<{ errors: Record<string, string[]> }>();
    expect(p.errors["Recipient.RecipientExternalIdentity"]![0]).toMatch(/not supported/);
  });
});

describe("GET /future/shipment/{id}", () => {
  it("404 NOT-00003 for an unknown id, another org's shipment and a chain id alike", async () => {
    const placed = await (await order({ requestedSendTime: inMinutes(60) })).json<any>();
    const answers = await Promise.all([
      call(`${FUTURE}/shipment/${crypto.randomUUID()}`, { headers: ttd }),
      call(`${FUTURE}/shipment/${placed.notification.shipmentId}`, { headers: other }),
      call(`${FUTURE}/shipment/${placed.notificationOrderId}`, { headers: ttd }),
    ]);
    const bodies = await Promise.all(answers.map(coded));
    expect(answers.map((r) => r.status)).toEqual([404, 404, 404]);
    for (const b of bodies) expect({ ...b, traceId: "" }).toEqual({ ...bodies[0], traceId: "" });
    expect(bodies[0]!.code).toBe("NOT-00003");
  });
});

describe("processing, shipment statuses and the feed", () => {
  it("an EmailAndSms person gets an e-mail and an SMS; the shipment completes into the feed", async () => {
    const before = await feed("?orderBy=desc&pageSize=1");
    const placed = await (
      await order({
        sendersReference: "both",
        recipient: {
          recipientPerson: {
            nationalIdentityNumber: "11019012345",
            channelSchema: "EmailAndSms",
            emailSettings: { subject: "Hei", body: "Hei $recipientName$" },
            smsSettings: { body: "Hei $recipientName$", sendingTimePolicy: "Anytime" },
          },
        },
      })
    ).json<any>();
    const id = placed.notification.shipmentId as string;
    await tick();
    const generated = await shipment(id);
    expect(generated.status).toBe("Order_Processed");
    expect(generated.recipients.map((r) => [r.type, r.destination, r.status]).sort()).toEqual([
      ["Email", "ola@example.no", "Email_New"],
      ["SMS", "+4798765432", "SMS_New"],
    ]);
    const gw = gatewayFetch();
    await consumeSmsBatch(
      batch("varsel-sms", await ids("sms_notifications", id)),
      env,
      linkMobilityProvider("https://gw.test/", "u", "p", gw.fetcher),
    );
    expect(gw.sessions[0]).toContain("Hei Ola Begge");
    await consumeEmailBatch(batch("varsel-email", await ids("email_notifications", id)), env, okMail);
    const done = await shipment(id);
    expect(done.status).toBe("Order_Completed");
    expect(done.recipients.map((r) => r.status).sort()).toEqual(["Email_Succeeded", "SMS_Accepted"]);
    const after = await feed(`?seq=${before[0]?.sequenceNumber ?? 0}`);
    expect(after.map((e) => e.shipmentId)).toContain(id);
    const entry = after.find((e) => e.shipmentId === id)!;
    expect(entry).toMatchObject({ status: "Order_Completed", sendersReference: "both", shipmentType: "Notification" });
    expect(entry.recipients).toHaveLength(2);
    // Another org's feed never shows it.
    expect((await feed("?pageSize=500", other)).map((e) => e.shipmentId)).not.toContain(id);
  });

  it("a send condition not met ends the shipment with a feed entry without recipients", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => Response.json({ sendNotification: false }));
    const placed = await (await order({ conditionEndpoint: "https://condition.example.no/c" })).json<any>();
    await tick();
    expect((await shipment(placed.notification.shipmentId)).status).toBe("Order_SendConditionNotMet");
    const entries = await feed("?orderBy=Desc&pageSize=5");
    expect(entries.find((e) => e.shipmentId === placed.notification.shipmentId)).toMatchObject({
      status: "Order_SendConditionNotMet",
      recipients: [],
    });
  });

  it("pages the feed with an exclusive cursor, both ways, clamping pageSize", async () => {
    const all = await feed("?pageSize=500");
    expect(all.length).toBeGreaterThanOrEqual(2);
    const seqs = all.map((e) => e.sequenceNumber);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const first = await feed("?pageSize=0");
    expect(first.map((e) => e.sequenceNumber)).toEqual([seqs[0]]);
    const next = await feed(`?seq=${seqs[0]}&pageSize=1`);
    expect(next.map((e) => e.sequenceNumber)).toEqual([seqs[1]]);
    const back = await feed(`?seq=${seqs[1]}&orderBy=desc`);
    expect(back.map((e) => e.sequenceNumber)).toEqual([seqs[0]]);
    const bad = await call(`${FUTURE}/shipment/feed?seq=-1`, { headers: ttd });
    expect(bad.status).toBe(400);
  });
});

describe("sending time policy", () => {
  it("outside the Daytime window an Anytime shipment's SMS goes, a Daytime one waits for the window", async () => {
    const place = async (policy: string) =>
      (
        await (
          await order({
            recipient: {
              recipientSms: {
                phoneNumber: "+4799999999",
                smsSettings: { body: `policy ${policy}`, sendingTimePolicy: policy },
              },
            },
          })
        ).json<any>()
      ).notification.shipmentId as string;
    const anytime = await place("Anytime");
    const daytime = await place("Daytime");
    await tick();
    const sms = [...(await ids("sms_notifications", anytime)), ...(await ids("sms_notifications", daytime))];
    expect(sms).toHaveLength(2);
    // 01:30 in Oslo, some hours from now, with the production window 09-17.
    const night = new Date(Date.now() + 86_400_000);
    night.setUTCHours(23, 30, 0, 0);
    const gw = gatewayFetch();
    await consumeSmsBatch(
      batch("varsel-sms", sms),
      { ...env, SMS_DAYTIME: "09-17", SMS_TIME_ZONE: "Europe/Oslo" },
      linkMobilityProvider("https://gw.test/", "u", "p", gw.fetcher),
      () => night,
    );
    expect(gw.sessions).toHaveLength(1);
    expect(gw.sessions[0]).toContain("policy Anytime");
    expect(gw.sessions[0]).not.toContain("policy Daytime");
    expect((await shipment(anytime)).recipients[0]!.status).toBe("SMS_Accepted");
    expect((await shipment(daytime)).recipients[0]!.status).toBe("SMS_New");
    const due = await env.DB.prepare("SELECT due_at FROM sms_notifications WHERE order_id = ?1")
      .bind(daytime)
      .first<{ due_at: string }>();
    // Due at 09:00 Oslo time the next morning.
    expect(Date.parse(due!.due_at)).toBeGreaterThan(night.getTime());
    expect(Date.parse(due!.due_at) - night.getTime()).toBeLessThan(12 * 3600_000);
    expect(localHour(new Date(due!.due_at), "Europe/Oslo")).toBe(9);
  });
});

describe("instant orders", () => {
  const sms = (idempotencyId: string) => ({
    idempotencyId,
    sendersReference: "otp",
    recipientSms: { phoneNumber: "+4799999999", timeToLiveInSeconds: 360, smsSettings: { body: "Kode 123456" } },
  });
  async function instant(path: string, body: unknown, e: Record<string, unknown>) {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`${BASE}${FUTURE}/orders/instant/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...ttd },
        body: JSON.stringify(body),
      }),
      { ...env, ...e } as typeof env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("SMS: sent before the answer; 201, then 200 for the same idempotencyId; one gateway session for two at once", async () => {
    const gw = gatewayFetch();
    vi.spyOn(globalThis, "fetch").mockImplementation(gw.fetcher);
    const k = key();
    const answers = await Promise.all([
      instant("sms", sms(k), { SMS_GATEWAY_URL: "https://gw.test/" }),
      instant("sms", sms(k), { SMS_GATEWAY_URL: "https://gw.test/" }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 201]);
    expect(gw.sessions).toHaveLength(1);
    expect(gw.sessions[0]).toContain("<TTL>6</TTL>");
    const body = await answers[0]!.json<any>();
    expect(body.notification.sendersReference).toBe("otp");
    const s = await shipment(body.notification.shipmentId);
    expect(s).toMatchObject({
      type: "Instant",
      recipients: [{ type: "SMS", destination: "+4799999999", status: "SMS_Accepted" }],
    });
  });

  it("SMS: 503 NOT-00004 when the gateway cannot take it, and nothing is kept (the key can be used again)", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("down", { status: 503 }));
    const k = key();
    const res = await instant("sms", sms(k), { SMS_GATEWAY_URL: "https://gw.test/" });
    expect(res.status).toBe(503);
    expect((await coded(res)).code).toBe("NOT-00004");
    vi.restoreAllMocks();
    vi.spyOn(globalThis, "fetch").mockImplementation(gatewayFetch().fetcher);
    expect((await instant("sms", sms(k), { SMS_GATEWAY_URL: "https://gw.test/" })).status).toBe(201);
  });

  it("e-mail: 201 with the provider's acceptance, 503 NOT-00004 when it refuses", async () => {
    const mail = {
      idempotencyId: key(),
      recipientEmail: { emailAddress: "kari@example.no", emailSettings: { subject: "Kvittering", body: "Takk" } },
    };
    // The test SMTP server refuses every connection.
    const refused = await instant("email", mail, {});
    expect(refused.status).toBe(503);
    expect((await coded(refused)).code).toBe("NOT-00004");
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => Response.json({ id: "re_1" }));
    const res = await instant("email", mail, {
      EMAIL_PROVIDER: "resend",
      EMAIL_API_URL: "https://mail.test",
      EMAIL_API_KEY: "re_x",
    });
    expect(res.status).toBe(201);
    const body = await res.json<any>();
    expect(await shipment(body.notification.shipmentId)).toMatchObject({
      type: "Instant",
      status: "Order_Completed",
      recipients: [{ type: "Email", destination: "kari@example.no", status: "Email_Succeeded" }],
    });
  });
});
