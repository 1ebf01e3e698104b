import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { XMLParser } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { EmailProvider } from "../../src/email/provider";
import { consumeEmailBatch } from "../../src/notifications/consumer";
import { publishStatusEvents } from "../../src/notifications/status-events";
import { consumeSmsBatch } from "../../src/sms/consumer";
import { linkMobilityProvider } from "../../src/sms/provider";
import { readEvents } from "../../src/events/log-store";
import { D1_LOG } from "../helpers/event-log";
import { call, callWithEnv, postJson } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";
import { seedContacts } from "./orders-fixtures";

const ORDERS = "/notifications/api/v1/orders";
const RESOURCE = "urn:altinn:resource:notifications_ttd";
const REPORT_AUTH = { authorization: `Basic ${btoa("gateway:report-secret")}` };
const DUE = Date.now() + 6 * 60_000;
const at = (offsetMs: number) => new Date(DUE + offsetMs);
let ttd: Record<string, string>;

interface Ev {
  id: string;
  type: string;
  subject: string;
  resource: string;
  time: string;
  data: Record<string, unknown>;
}

/** The event log the tests below run against: the default (partitioned), or the D1 log pinned. */
let vars: { EVENT_LOG?: string } = {};
const E = () => ({ ...env, ...vars });

/** The stored status events of one shipment, in publish order, from the log under test. */
async function eventsOf(shipmentId: string): Promise<Ev[]> {
  const stored = await readEvents(E(), {
    resource: RESOURCE,
    subject: `/shipment/${shipmentId}`,
    afterSeq: 0,
    size: 1000,
  });
  return stored.map((s) => s.event as unknown as Ev);
}

async function tick(when: Date): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: when, cron: "* * * * *" }), E(), ctx);
  await waitOnExecutionContext(ctx);
}

function gateway() {
  const refs: string[] = [];
  const fetcher = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    const doc = new XMLParser({ parseTagValue: false, isArray: (n) => n === "MSG" }).parse(String(init?.body));
    const msgs = (doc.SESSION.MSGLST.MSG as Record<string, string>[]).map((m) => {
      const ref = `ref-${crypto.randomUUID()}`;
      refs.push(ref);
      return `<MSG><ID>${m.ID}</ID><STATUS>OK</STATUS><INFO></INFO><REF>${ref}</REF></MSG>`;
    });
    return new Response(
      `<?xml version="1.0"?><SESSION><LOGON>OK</LOGON><REASON></REASON><MSGLST>${msgs.join("")}</MSGLST></SESSION>`,
    );
  }) as typeof fetch;
  return { refs, provider: linkMobilityProvider("https://gateway.test/", "u", "p", fetcher) };
}

const acceptingMail: EmailProvider = {
  name: "test",
  send: async (mail) => ({ ok: true, providerMessageId: `pm-${mail.idempotencyKey}` }),
};

function batchOf(queue: string, ids: string[], now: Date) {
  return createMessageBatch(
    queue,
    ids.map((notificationId) => ({
      id: `m-${crypto.randomUUID()}`,
      timestamp: now,
      attempts: 1,
      body: { notificationId },
    })),
  );
}

async function newIds(table: string, orderId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    `SELECT id FROM ${table} WHERE order_id = ?1 AND status = 'New' ORDER BY seq`,
  )
    .bind(orderId)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

beforeAll(async () => {
  ttd = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
  await seedContacts([
    [
      "persons/03039012345",
      { name: "Kari Reservert", email: "kari@example.com", mobile: "+4797654300", reserved: true },
    ],
  ]);
});

describe.each([
  ["the partitioned log", {}],
  ["the D1 log (EVENT_LOG=d1)", D1_LOG],
])("order status as events (SPEC §5.6), stored in %s", (_name, log) => {
  beforeAll(() => {
    vars = log;
  });

  it("publishes each SMS transition and the completion once, on notifications_ttd, with the shipment as subject", async () => {
    const gw = gateway();
    const placed = await postJson(
      `${ORDERS}/sms`,
      {
        body: "Hei",
        requestedSendTime: at(0).toISOString(),
        sendersReference: "status-events-sms",
        recipients: [{ mobileNumber: "+4799999901" }, { nationalIdentityNumber: "03039012345" }],
      },
      ttd,
    );
    const { orderId } = (await placed.json()) as { orderId: string };
    await tick(at(60_000));
    const ids = await newIds("sms_notifications", orderId);
    await consumeSmsBatch(batchOf("varsel-sms", ids, at(61_000)), E(), gw.provider, () => at(61_000));
    const report = await callWithEnv(vars, "/notifications/api/v1/sms/reports", {
      method: "POST",
      headers: { "content-type": "application/xml", ...REPORT_AUTH },
      body: `<?xml version="1.0"?><MSGLST><MSG><ID>1</ID><REF>${gw.refs[0]}</REF><RCV>4799999901</RCV><STATE>DELIVRD</STATE></MSG></MSGLST>`,
    });
    expect(report.status).toBe(200);

    const events = await eventsOf(orderId);
    expect(events.map((e) => e.type)).toEqual([
      "no.varsel.notifications.sms.failed",
      "no.varsel.notifications.sms.accepted",
      "no.varsel.notifications.shipment.completed",
      "no.varsel.notifications.sms.delivered",
    ]);
    for (const e of events) expect(e).toMatchObject({ resource: RESOURCE, subject: `/shipment/${orderId}` });
    const [reserved, accepted, completed, delivered] = events;
    // A reserved recipient's event names no destination.
    expect(reserved!.data).toEqual({
      shipmentId: orderId,
      notificationId: expect.any(String),
      status: "SMS_Failed_RecipientReserved",
      lastUpdate: expect.any(String),
    });
    expect(JSON.stringify(events)).not.toContain("97654300");
    expect(accepted!.data).toEqual({
      shipmentId: orderId,
      notificationId: ids[0],
      destination: "+4799999901",
      status: "SMS_Accepted",
      lastUpdate: accepted!.time,
    });
    expect(delivered!.data).toMatchObject({ notificationId: ids[0], status: "SMS_Delivered" });
    expect(completed!.data).toEqual({
      shipmentId: orderId,
      sendersReference: "status-events-sms",
      shipmentType: "Notification",
      status: "Order_Completed",
      lastUpdate: completed!.time,
      recipients: [{ destination: "+4799999901", status: "SMS_Accepted", lastUpdate: expect.any(String) }],
    });

    // The same transitions again (a redelivered report, a replayed update): nothing new is published.
    await env.DB.prepare("UPDATE sms_notifications SET status = 'Accepted' WHERE id = ?1").bind(ids[0]).run();
    await env.DB.prepare("UPDATE sms_notifications SET status = 'Delivered' WHERE id = ?1").bind(ids[0]).run();
    expect(await publishStatusEvents(E())).toBe(0);
    expect(await eventsOf(orderId)).toHaveLength(4);
    const owed = await env.DB.prepare("SELECT count(*) AS n FROM status_event_outbox").first<{ n: number }>();
    expect(owed?.n).toBe(0);
  });

  it("publishes e-mail Succeeded, the completion, and a cancelled order", async () => {
    const placed = await postJson(
      `${ORDERS}/email`,
      {
        subject: "s",
        body: "b",
        requestedSendTime: at(0).toISOString(),
        recipients: [{ emailAddress: "status@example.com" }],
      },
      ttd,
    );
    const { orderId } = (await placed.json()) as { orderId: string };
    await tick(at(60_000));
    const ids = await newIds("email_notifications", orderId);
    expect(ids).toHaveLength(1);
    await consumeEmailBatch(batchOf("varsel-email", ids, at(61_000)), E(), acceptingMail, () => at(61_000));
    const events = await eventsOf(orderId);
    expect(events.map((e) => [e.type, e.data.status])).toEqual([
      ["no.varsel.notifications.email.succeeded", "Email_Succeeded"],
      ["no.varsel.notifications.shipment.completed", "Order_Completed"],
    ]);
    expect(events[0]!.data).toMatchObject({ destination: "status@example.com", notificationId: ids[0] });

    const later = await postJson(
      `${ORDERS}/email`,
      {
        subject: "s",
        body: "b",
        requestedSendTime: new Date(Date.now() + 3 * 3600_000).toISOString(),
        recipients: [{ emailAddress: "status@example.com" }],
      },
      ttd,
    );
    const cancelledId = ((await later.json()) as { orderId: string }).orderId;
    const cancel = () => callWithEnv(vars, `${ORDERS}/${cancelledId}/cancel`, { method: "PUT", headers: ttd });
    expect((await cancel()).status).toBe(200);
    expect((await cancel()).status).toBe(200);
    expect((await eventsOf(cancelledId)).map((e) => [e.type, e.data.status, e.data.recipients])).toEqual([
      ["no.varsel.notifications.shipment.cancelled", "Order_Cancelled", []],
    ]);
  });

  it("lets ttd read and subscribe to its notifications resource, and no other org", async () => {
    const reader = (org: string) => altinnToken({ org, scope: "altinn:events.subscribe" }).then(bearer);
    const own = await call(`/events/api/v1/events?resource=${RESOURCE}&after=0`, { headers: await reader("ttd") });
    expect(own.status).toBe(200);
    expect(((await own.json()) as Ev[]).length).toBeGreaterThan(0);
    const foreign = await call(`/events/api/v1/events?resource=${RESOURCE}&after=0`, {
      headers: await reader("digdir"),
    });
    expect(foreign.status).toBe(403);
    const sub = { endPoint: "http://127.0.0.1:9/hook", resourceFilter: RESOURCE };
    expect((await postJson("/events/api/v1/subscriptions", sub, await reader("ttd"))).status).toBe(201);
    const denied = await postJson("/events/api/v1/subscriptions", sub, await reader("digdir"));
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as { detail: string }).detail).toBe(
      `Not authorized to create a subscription for resource ${RESOURCE}`,
    );
  });
});
