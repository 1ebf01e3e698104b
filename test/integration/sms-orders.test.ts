import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { XMLParser } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { consumeSmsBatch } from "../../src/sms/consumer";
import { linkMobilityProvider } from "../../src/sms/provider";
import { BASE, call, postJson, problem } from "../helpers/http";
import { altinnToken, bearer, platformToken } from "../helpers/tokens";
import { seedContacts } from "./orders-fixtures";

const ORDERS = "/notifications/api/v1/orders";
const REPORTS = "/notifications/api/v1/sms/reports";
const SCOPE = "altinn:serviceowner/notifications.create";
const REPORT_AUTH = { authorization: `Basic ${btoa("gateway:report-secret")}` };
let ttd: Record<string, string>;
let other: Record<string, string>;
const DUE = Date.now() + 6 * 60_000;
const at = (offsetMs: number) => new Date(DUE + offsetMs);
const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

/** A PSWin gateway as a fetch target: parses the real session XML, answers OK with a REF, or Invalid RCV. */
function fakeGateway() {
  const received: { text: string; snd: string; rcv: string; ttl: string; ref: string }[] = [];
  let down = false;
  const fetcher = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    if (down) throw new Error("connect ECONNREFUSED");
    const doc = new XMLParser({ parseTagValue: false, isArray: (n) => n === "MSG" }).parse(String(init?.body));
    const msgs = (doc.SESSION.MSGLST.MSG as Record<string, string>[]).map((m) => {
      if (m.RCV!.startsWith("+4741"))
        return `<MSG><ID>${m.ID}</ID><STATUS>FAIL</STATUS><INFO>Invalid RCV ${m.RCV}</INFO></MSG>`;
      const ref = `ref-${crypto.randomUUID()}`;
      received.push({ text: m.TEXT!, snd: m.SND!, rcv: m.RCV!, ttl: m.TTL!, ref });
      return `<MSG><ID>${m.ID}</ID><STATUS>OK</STATUS><INFO></INFO><REF>${ref}</REF></MSG>`;
    });
    return new Response(
      `<?xml version="1.0"?><SESSION><LOGON>OK</LOGON><REASON></REASON><MSGLST>${msgs.join("")}</MSGLST></SESSION>`,
      { headers: { "content-type": "text/xml" } },
    );
  }) as typeof fetch;
  return {
    received,
    provider: linkMobilityProvider("https://gateway.test/", "u", "p", fetcher),
    setDown: (d: boolean) => (down = d),
  };
}

async function place(
  body: Record<string, unknown>,
  headers = ttd,
): Promise<{ orderId: string; recipientLookup?: unknown }> {
  const res = await postJson(
    `${ORDERS}/sms`,
    { body: "Hei $recipientName$ ($recipientNumber$)", requestedSendTime: new Date(DUE).toISOString(), ...body },
    headers,
  );
  if (res.status !== 202) throw new Error(`order: ${res.status} ${await res.text()}`);
  return res.json();
}

async function tick(when: Date, e: typeof env = env): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: when, cron: "* * * * *" }), e, ctx);
  await waitOnExecutionContext(ctx);
}

async function consume(
  ids: string[],
  provider: ReturnType<typeof fakeGateway>["provider"],
  now: Date,
  attempts = 1,
  e: typeof env = env,
) {
  const batch = createMessageBatch(
    "varsel-sms",
    ids.map((notificationId) => ({
      id: `m-${crypto.randomUUID()}`,
      timestamp: now,
      attempts,
      body: { notificationId },
    })),
  );
  const ctx = createExecutionContext();
  await consumeSmsBatch(batch, e, provider, () => now);
  return getQueueResult(batch, ctx);
}

interface Row {
  id: string;
  mobile_number: string | null;
  status: string;
  attempts: number;
  gateway_reference: string | null;
}
async function rows(orderId: string): Promise<Row[]> {
  return (
    await env.DB.prepare(
      "SELECT id, mobile_number, status, attempts, gateway_reference FROM sms_notifications WHERE order_id = ?1 ORDER BY seq",
    )
      .bind(orderId)
      .all<Row>()
  ).results;
}
async function getJson<T = Record<string, unknown>>(path: string): Promise<T> {
  const res = await call(path, { headers: ttd });
  expect(res.status).toBe(200);
  return res.json() as Promise<T>;
}
const msg = (id: string, ref: string, state: string, time?: Date) =>
  `<MSG><ID>${id}</ID><REF>${ref}</REF><RCV>4799999999</RCV><STATE>${state}</STATE>${time ? `<DELIVERYTIME>${time.toISOString()}</DELIVERYTIME>` : ""}</MSG>`;
const report = (ref: string, state: string, headers: Record<string, string> = REPORT_AUTH, time?: Date) =>
  call(REPORTS, {
    method: "POST",
    headers: { "content-type": "application/xml", ...headers },
    body: `<?xml version="1.0"?><MSGLST>${msg("1", ref, state, time)}</MSGLST>`,
  });

beforeAll(async () => {
  ttd = bearer(await altinnToken({ org: "ttd", scope: SCOPE }));
  other = bearer(await altinnToken({ org: "digdir", scope: SCOPE }));
  await seedContacts([
    ["persons/01019012345", { name: "Ola Mobil", email: null, mobile: "98765432", reserved: false }],
    ["persons/02029012345", { name: "Kari Reservert", email: null, mobile: "+4797654321", reserved: true }],
    ["organizations/930000111", { name: "Mobil AS", emails: [], mobiles: ["+4796543210"] }],
  ]);
});

describe("POST /orders/sms", () => {
  it("authenticates like POST /orders/email: 401 without a token, 403 without the scope, a Platform Access Token alone works", async () => {
    const body = { body: "x", recipients: [{ mobileNumber: "+4799999999" }], requestedSendTime: inMinutes(60) };
    expect((await postJson(`${ORDERS}/sms`, body)).status).toBe(401);
    expect((await postJson(`${ORDERS}/sms`, body, bearer(await altinnToken({ org: "ttd" })))).status).toBe(403);
    expect(
      (await postJson(`${ORDERS}/sms`, body, { platformaccesstoken: await platformToken("ttd", "apps-test") })).status,
    ).toBe(202);
  });

  it("answers 202 with Location, and recipientLookup only when a recipient needed a look-up", async () => {
    const res = await postJson(
      `${ORDERS}/sms`,
      { body: "x", recipients: [{ mobileNumber: "+4799999999" }], requestedSendTime: inMinutes(60) },
      ttd,
    );
    expect(res.status).toBe(202);
    const { orderId, ...rest } = (await res.json()) as { orderId: string };
    expect(rest).toEqual({});
    expect(res.headers.get("location")).toBe(`${BASE}${ORDERS}/${orderId}`);
    const looked = await place({
      recipients: [
        { nationalIdentityNumber: "01019012345" },
        { nationalIdentityNumber: "02029012345" },
        { organizationNumber: "999999998" },
      ],
      requestedSendTime: inMinutes(60),
    });
    expect(looked.recipientLookup).toEqual({
      status: "PartialSuccess",
      isReserved: ["02029012345"],
      missingContact: ["999999998"],
    });
  });

  it("refuses bad input with the reference's texts as a problem", async () => {
    const res = await postJson(`${ORDERS}/sms`, { body: "x", recipients: [{ mobileNumber: "90000000" }] }, ttd);
    expect(res.status).toBe(400);
    expect((await problem(res)).errors).toEqual({
      Recipients: [
        "Mobile number can contain only '+' and numeric characters, and it must adhere to the E.164 standard.",
      ],
    });
    expect((await postJson(`${ORDERS}/sms`, "{not json", ttd)).status).toBe(400);
  });

  it("is read, listed, summarised and cancelled through the v1 order endpoints; another org gets 404", async () => {
    const ref = `sms-ref-${crypto.randomUUID()}`;
    const { orderId } = await place({
      recipients: [{ mobileNumber: "+4799999999" }],
      sendersReference: ref,
      senderNumber: "Varsel",
      requestedSendTime: inMinutes(60),
    });
    const order = await getJson(`${ORDERS}/${orderId}`);
    expect(order).toMatchObject({
      id: orderId,
      notificationChannel: "Sms",
      emailTemplate: null,
      smsTemplate: { senderNumber: "Varsel", body: "Hei $recipientName$ ($recipientNumber$)" },
    });
    expect((order.recipients as unknown[])[0]).toMatchObject({ mobileNumber: "+4799999999" });
    const status = await getJson(`${ORDERS}/${orderId}/status`);
    expect(status).toMatchObject({
      processingStatus: { status: "Registered" },
      notificationsStatusSummary: {
        sms: { generated: 0, succeeded: 0, links: { self: `${BASE}${ORDERS}/${orderId}/notifications/sms` } },
      },
    });
    expect(await getJson(`${ORDERS}?sendersReference=${ref}`)).toMatchObject({
      count: 1,
      orders: [{ id: orderId, notificationChannel: "Sms" }],
    });
    expect(await getJson(`${ORDERS}/${orderId}/notifications/sms`)).toEqual({
      orderId,
      sendersReference: ref,
      generated: 0,
      succeeded: 0,
      notifications: [],
    });
    expect((await call(`${ORDERS}/${orderId}/notifications/sms`, { headers: other })).status).toBe(404);
    const cancelled = await call(`${ORDERS}/${orderId}/cancel`, { method: "PUT", headers: ttd });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ processingStatus: { status: "Cancelled" } });
  });

  it("defaults the sender to Altinn", async () => {
    const { orderId } = await place({
      recipients: [{ mobileNumber: "+4799999999" }],
      requestedSendTime: inMinutes(60),
    });
    expect(await getJson(`${ORDERS}/${orderId}`)).toMatchObject({ smsTemplate: { senderNumber: "Altinn" } });
  });
});

describe("SMS processing, sending and delivery reports", () => {
  it("order → SMS per number → gateway Accepted with REF → DELIVRD report → Delivered, order Completed", async () => {
    const gw = fakeGateway();
    const { orderId } = await place({
      recipients: [
        { nationalIdentityNumber: "01019012345" },
        { nationalIdentityNumber: "02029012345" },
        { organizationNumber: "930000111" },
        { mobileNumber: "+4741000000" },
        { mobileNumber: "0047 98765432" },
      ],
    });
    await tick(at(60_000));
    const made = await rows(orderId);
    expect(made.map((r) => [r.mobile_number, r.status])).toEqual([
      ["+4798765432", "New"],
      [null, "Failed_RecipientReserved"],
      ["+4796543210", "New"],
      ["+4741000000", "New"],
    ]);
    const results = await consume(
      made.filter((r) => r.status === "New").map((r) => r.id),
      gw.provider,
      at(61_000),
    );
    expect(results.explicitAcks).toHaveLength(3);
    expect(gw.received.map((m) => [m.rcv, m.text, m.snd])).toEqual([
      ["+4798765432", "Hei Ola Mobil ()", "Altinn"],
      ["+4796543210", "Hei Mobil AS (930000111)", "Altinn"],
    ]);
    expect(Number(gw.received[0]!.ttl)).toBeGreaterThan(2870);
    const sent = await rows(orderId);
    expect(sent.map((r) => r.status)).toEqual([
      "Accepted",
      "Failed_RecipientReserved",
      "Accepted",
      "Failed_InvalidRecipient",
    ]);
    expect(await getJson(`${ORDERS}/${orderId}/status`)).toMatchObject({
      processingStatus: { status: "Completed" },
      notificationsStatusSummary: { sms: { generated: 4, succeeded: 2 } },
    });

    const r1 = await report(gw.received[0]!.ref, "DELIVRD");
    expect(r1.status).toBe(200);
    expect(await r1.text()).toBe('<?xml version="1.0"?><MSGLST><MSG><ID>1</ID><STATUS>OK</STATUS></MSG></MSGLST>');
    expect((await report(gw.received[1]!.ref, "BARRED")).status).toBe(200);
    const summary = await getJson<{
      generated: number;
      succeeded: number;
      notifications: {
        succeeded: boolean;
        recipient: Record<string, unknown>;
        sendStatus: { status: string; description: string };
      }[];
    }>(`${ORDERS}/${orderId}/notifications/sms`);
    expect(summary.generated).toBe(4);
    expect(summary.succeeded).toBe(1);
    expect(summary.notifications.map((n) => [n.recipient, n.sendStatus.status, n.succeeded])).toEqual([
      [{ nationalIdentityNumber: "01019012345", mobileNumber: "+4798765432" }, "Delivered", true],
      [{ nationalIdentityNumber: "02029012345", mobileNumber: "" }, "Failed_RecipientReserved", false],
      [{ organizationNumber: "930000111", mobileNumber: "+4796543210" }, "Failed_BarredReceiver", false],
      [{ mobileNumber: "+4741000000" }, "Failed_InvalidRecipient", false],
    ]);
    expect(summary.notifications[0]!.sendStatus.description).toBe(
      "The SMS was successfully delivered to its destination.",
    );
    // The reserved person's number is nowhere in the answers.
    expect(JSON.stringify(summary)).not.toContain("97654321");
  });

  it("with ignoreReservation, a reserved person's number is used to send, never shown, and scrubbed once final", async () => {
    const gw = fakeGateway();
    const { orderId } = await place({
      ignoreReservation: true,
      recipients: [{ nationalIdentityNumber: "02029012345" }],
    });
    await tick(at(90_000));
    const made = await rows(orderId);
    expect(made.map((r) => r.status)).toEqual(["New"]);
    const shown = async () => JSON.stringify(await getJson(`${ORDERS}/${orderId}/notifications/sms`));
    expect(await shown()).not.toContain("97654321");
    await consume([made[0]!.id], gw.provider, at(91_000));
    expect(gw.received.map((m) => m.rcv)).toEqual(["+4797654321"]);
    expect(await shown()).not.toContain("97654321");
    expect((await report(gw.received[0]!.ref, "DELIVRD")).status).toBe(200);
    await tick(at(92_000));
    const final = await rows(orderId);
    expect(final.map((r) => [r.status, r.mobile_number])).toEqual([["Delivered", null]]);
    expect(await shown()).not.toContain("97654321");
  });

  it("a stored chunk resets the order's failure count (5 failures in a row stop it, not 5 ever)", async () => {
    const { orderId } = await place({ recipients: [{ mobileNumber: "+4799999981" }] });
    // Four earlier failures, each followed by a retry; the next chunk succeeds.
    await env.DB.prepare("UPDATE notification_orders SET failures = 4 WHERE id = ?1").bind(orderId).run();
    await tick(at(95_000));
    expect((await rows(orderId)).map((r) => r.status)).toEqual(["New"]);
    const order = await env.DB.prepare("SELECT failures FROM notification_orders WHERE id = ?1")
      .bind(orderId)
      .first<{ failures: number }>();
    expect(order!.failures).toBe(0);
  });

  it("keeps SMS while the gateway is down, retries them, and sends each once when it is back", async () => {
    const gw = fakeGateway();
    const { orderId } = await place({ recipients: [{ mobileNumber: "+4799999991" }, { mobileNumber: "+4799999992" }] });
    await tick(at(120_000));
    const ids = (await rows(orderId)).map((r) => r.id);
    gw.setDown(true);
    const down = await consume(ids, gw.provider, at(121_000));
    expect(down.retryMessages).toHaveLength(2);
    expect((await rows(orderId)).map((r) => [r.status, r.attempts])).toEqual([
      ["New", 1],
      ["New", 1],
    ]);
    gw.setDown(false);
    await consume(ids, gw.provider, at(200_000), 2);
    await consume(ids, gw.provider, at(201_000), 3); // a duplicate delivery sends nothing again
    expect(gw.received.map((m) => m.rcv)).toEqual(["+4799999991", "+4799999992"]);
    expect((await rows(orderId)).map((r) => r.status)).toEqual(["Accepted", "Accepted"]);
  });

  it("fails SMS with Failed_TTL: never accepted within 48 h, or Accepted without a final report; v1 shows Failed", async () => {
    const gw = fakeGateway();
    const { orderId } = await place({ recipients: [{ mobileNumber: "+4799999993" }, { mobileNumber: "+4799999994" }] });
    await tick(at(180_000));
    const [a] = await rows(orderId);
    await consume([a!.id], gw.provider, at(181_000));
    await tick(at(49 * 3600_000));
    const summary = await getJson<{ notifications: { sendStatus: { status: string; description: string } }[] }>(
      `${ORDERS}/${orderId}/notifications/sms`,
    );
    expect(summary.notifications.map((n) => n.sendStatus)).toEqual([
      expect.objectContaining({
        status: "Failed",
        description: "The SMS was in indefinite state Accepted for too long (TTL), and was subsequently set to failed.",
      }),
      expect.objectContaining({ status: "Failed" }),
    ]);
    expect((await rows(orderId)).map((r) => r.status)).toEqual(["Failed_TTL", "Failed_TTL"]);
    expect((await getJson(`${ORDERS}/${orderId}/status`)) as unknown).toMatchObject({
      processingStatus: { status: "Completed" },
    });
    // A report after expiry is acknowledged and ignored.
    expect((await report(gw.received[0]!.ref, "DELIVRD")).status).toBe(200);
    expect((await rows(orderId))[0]!.status).toBe("Failed_TTL");
  });
});

describe("the Daytime window", () => {
  it("makes SMS outside the window wait for its start: nothing is sent at night, all of it in the morning", async () => {
    const day = { ...env, SMS_DAYTIME: "09-17", SMS_TIME_ZONE: "UTC" } as typeof env;
    const night = new Date(DUE);
    night.setUTCHours(20, 0, 0, 0); // the first 20:00 UTC after DUE: the SMS expire 48 h after DUE
    if (night.getTime() < DUE) night.setUTCDate(night.getUTCDate() + 1);
    const morning = new Date(night.getTime() + 13 * 3600_000); // 09:00 UTC the next day
    const gw = fakeGateway();
    const { orderId } = await place({ recipients: [{ mobileNumber: "+4799999995" }] });
    await tick(night, day);
    const [sms] = await env.DB.prepare(
      "SELECT id, status, due_at, enqueued_at FROM sms_notifications WHERE order_id = ?1",
    )
      .bind(orderId)
      .all<{ id: string; status: string; due_at: string; enqueued_at: string | null }>()
      .then((r) => r.results);
    expect(sms).toMatchObject({ status: "New", due_at: morning.toISOString(), enqueued_at: null });
    // A message arriving at night (a redelivery, say) sends nothing and leaves the SMS waiting.
    await consume([sms!.id], gw.provider, new Date(night.getTime() + 60_000), 1, day);
    expect(gw.received).toEqual([]);
    expect((await rows(orderId))[0]!.status).toBe("New");
    await consume([sms!.id], gw.provider, morning, 1, day);
    expect(gw.received.map((m) => m.rcv)).toEqual(["+4799999995"]);
    expect((await rows(orderId))[0]!.status).toBe("Accepted");
  });
});

describe("POST /sms/reports", () => {
  it("answers 401 without the Basic credentials, 400 with PSWin's texts, 503 for unknown references, 500 for unhandled states", async () => {
    expect((await report("x", "DELIVRD", {})).status).toBe(401);
    expect((await report("x", "DELIVRD", { authorization: `Basic ${btoa("gateway:wrong")}` })).status).toBe(401);
    const empty = await call(REPORTS, { method: "POST", headers: REPORT_AUTH, body: "" });
    expect([empty.status, await empty.text()]).toEqual([400, "Error: Content is empty"]);
    const noState = await call(REPORTS, {
      method: "POST",
      headers: REPORT_AUTH,
      body: "<MSGLST><MSG><ID>1</ID><RCV>47</RCV></MSG></MSGLST>",
    });
    expect([noState.status, await noState.text()]).toEqual([400, "Missing element STATE under MSGLST/MSG"]);
    expect((await report(`never-${crypto.randomUUID()}`, "DELIVRD", REPORT_AUTH, new Date())).status).toBe(503);
    expect((await report("x", "ZEROBAL")).status).toBe(500);
  });

  it("reads a chunked body without content-length only up to the limit (413), never whole", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += 64 * 1024;
        c.enqueue(new TextEncoder().encode("<".repeat(64 * 1024)));
      },
    });
    const res = await call(REPORTS, {
      method: "POST",
      headers: { "content-type": "application/xml", ...REPORT_AUTH },
      body: endless,
      duplex: "half",
    } as RequestInit);
    expect([res.status, await res.text()]).toEqual([413, "Error: Content is too large"]);
    expect(pulled).toBeLessThan(4 * 1024 * 1024);
  });

  it("asks again for an unknown reference only within 10 minutes of the report's time, and applies every report of a batch", async () => {
    const old = new Date(Date.now() - 11 * 60_000);
    // Not ours (or never coming): accepted after 10 minutes, instead of 503 forever.
    expect((await report(`never-${crypto.randomUUID()}`, "DELIVRD", REPORT_AUTH, old)).status).toBe(200);
    // Without a time it cannot be bounded: accepted (and logged) as well.
    expect((await report(`never-${crypto.randomUUID()}`, "DELIVRD")).status).toBe(200);

    const gw = fakeGateway();
    const { orderId } = await place({ recipients: [{ mobileNumber: "+4799999971" }] });
    await tick(at(96_000));
    await consume(
      (await rows(orderId)).map((r) => r.id),
      gw.provider,
      at(97_000),
    );
    const ref = gw.received[0]!.ref;
    // A recent unknown report first, then a known one: the known one is applied, the batch answered 503.
    const batch = await call(REPORTS, {
      method: "POST",
      headers: { "content-type": "application/xml", ...REPORT_AUTH },
      body: `<?xml version="1.0"?><MSGLST>${msg("1", `later-${crypto.randomUUID()}`, "DELIVRD", new Date())}${msg("2", ref, "DELIVRD", new Date())}</MSGLST>`,
    });
    expect(batch.status).toBe(503);
    expect((await rows(orderId))[0]!.status).toBe("Delivered");
  });
});
