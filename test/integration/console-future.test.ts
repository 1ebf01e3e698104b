// The console's current-API order (issue 11 point 4): the body its form builds is what
// POST /future/orders takes, its 400 answers land on the form's fields, and the list and the chain
// endpoint say which chain a shipment is in.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  channelsOf,
  type FutureDraft,
  fieldErrors,
  futureBody,
  type ReminderDraft,
  type ShipmentDraft,
} from "../../console/src/future-body";
import { CHAIN_SQL, SHIPMENT_SQL } from "../../src/notifications/chain-routes";
import { BASE, call, postJson } from "../helpers/http";
import { expectIndexed, queryPlan } from "../helpers/query-plan";
import { altinnToken, bearer } from "../helpers/tokens";

const SCOPE = "altinn:serviceowner/notifications.create";
const later = (days = 1) => new Date(Date.now() + days * 86_400_000).toISOString();
const shipmentDraft = (over: Partial<ShipmentDraft> = {}): ShipmentDraft => ({
  kind: "email",
  destination: "kari@example.com",
  channelSchema: "Email",
  resourceId: "",
  subject: "Hei",
  emailBody: "Hei Kari",
  smsSender: "",
  smsBody: "Hei Kari",
  smsPolicy: "Anytime",
  sendersReference: "",
  ...over,
});
const reminderDraft = (over: Partial<ReminderDraft> = {}): ReminderDraft => ({
  ...shipmentDraft({ kind: "sms", destination: "+4799999999" }),
  when: "delayDays",
  delayDays: "2",
  requestedSendTime: "",
  ...over,
});
const draft = (over: Partial<FutureDraft> = {}): FutureDraft => ({
  ...shipmentDraft(),
  idempotencyId: crypto.randomUUID(),
  requestedSendTime: later(),
  reminders: [],
  ...over,
});
type Listed = { id: string; links: Record<string, string> } & Record<string, unknown>;
type Chained = {
  shipmentId: string;
  type: string;
  sendersReference: string | null;
  requestedSendTime: string;
  processingStatus: { status: string };
  links: Record<string, string>;
};
const orgHeaders = async (org: string) => bearer(await altinnToken({ org, scope: SCOPE }));

describe("the console's current-API order body", () => {
  it("gives each recipient only the settings its channel needs", () => {
    expect(channelsOf({ kind: "email", channelSchema: "Sms" })).toEqual({ email: true, sms: false });
    expect(channelsOf({ kind: "person", channelSchema: "Sms" })).toEqual({ email: false, sms: true });
    expect(channelsOf({ kind: "organization", channelSchema: "EmailPreferred" })).toEqual({ email: true, sms: true });
    const org = futureBody(
      draft({
        kind: "organization",
        destination: " 910000001 ",
        channelSchema: "Email",
        resourceId: "urn:altinn:resource:r",
      }),
    );
    expect(org.recipient).toEqual({
      recipientOrganization: {
        orgNumber: "910000001",
        channelSchema: "Email",
        emailSettings: { subject: "Hei", body: "Hei Kari" },
        resourceId: "urn:altinn:resource:r",
      },
    });
    const sms = futureBody(
      draft({ kind: "sms", destination: "+4799999999", smsSender: "Varsel", requestedSendTime: "" }),
    );
    expect(sms).not.toHaveProperty("requestedSendTime");
    expect(sms.recipient).toEqual({
      recipientSms: {
        phoneNumber: "+4799999999",
        smsSettings: { body: "Hei Kari", sendingTimePolicy: "Anytime", sender: "Varsel" },
      },
    });
    const when = futureBody(
      draft({
        reminders: [reminderDraft(), reminderDraft({ when: "requestedSendTime", requestedSendTime: later(3) })],
      }),
    ).reminders as Record<string, unknown>[];
    expect(when.map((r) => [r.delayDays, r.requestedSendTime])).toEqual([
      [2, undefined],
      [undefined, expect.any(String)],
    ]);
  });

  it("is stored by POST /future/orders with its reminder, listed as Future shipments of one chain", async () => {
    const org = `o${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
    const headers = await orgHeaders(org);
    const body = futureBody(
      draft({ sendersReference: "main", reminders: [reminderDraft({ sendersReference: "rem" })] }),
    );
    const res = await postJson("/notifications/api/v1/future/orders", body, headers);
    expect(res.status).toBe(201);
    const receipt = await res.json<{
      notificationOrderId: string;
      notification: { shipmentId: string; reminders: { shipmentId: string }[] };
    }>();
    const main = receipt.notification.shipmentId;
    const reminder = receipt.notification.reminders[0]!.shipmentId;

    const list = await call("/notifications/api/v1/list/orders", { headers });
    const { orders } = await list.json<{ orders: Listed[] }>();
    const byId = Object.fromEntries(orders.map((o) => [o.id, o]));
    expect(Object.keys(byId).sort()).toEqual([main, reminder].sort());
    expect(byId[main]).toMatchObject({
      notificationChannel: "Future",
      shipmentType: "Notification",
      chainId: receipt.notificationOrderId,
      channelSchema: "Email",
      links: {
        shipment: `${BASE}/notifications/api/v1/future/shipment/${main}`,
        chain: `${BASE}/notifications/api/v1/list/shipments/${main}/chain`,
      },
    });
    expect(byId[reminder]).toMatchObject({ shipmentType: "Reminder", channelSchema: "Sms", sendersReference: "rem" });

    // The chain, asked from the reminder: the main shipment first, each with its link.
    const chain = await call(`/notifications/api/v1/list/shipments/${reminder}/chain`, { headers });
    expect(chain.status).toBe(200);
    const c = await chain.json<{ chainId: string; shipments: Chained[] }>();
    expect(c.chainId).toBe(receipt.notificationOrderId);
    expect(c.shipments.map((s) => [s.shipmentId, s.type, s.sendersReference, s.processingStatus.status])).toEqual([
      [main, "Notification", "main", "Registered"],
      [reminder, "Reminder", "rem", "Registered"],
    ]);
    expect(Date.parse(c.shipments[1]!.requestedSendTime) - Date.parse(c.shipments[0]!.requestedSendTime)).toBe(
      2 * 86_400_000,
    );
    expect(c.shipments[0]!.links.shipment).toBe(`${BASE}/notifications/api/v1/future/shipment/${main}`);
    // A v1 list entry has none of the Future fields.
    const v1 = await postJson(
      "/notifications/api/v1/orders/email",
      { recipients: [{ emailAddress: "kari@example.com" }], subject: "s", body: "b", requestedSendTime: later() },
      headers,
    );
    const v1Id = (await v1.json<{ orderId: string }>()).orderId;
    const again = await (await call("/notifications/api/v1/list/orders", { headers })).json<{ orders: Listed[] }>();
    const v1Item = again.orders.find((o) => o.id === v1Id);
    expect(v1Item).not.toHaveProperty("chainId");
    expect(v1Item?.links).not.toHaveProperty("shipment");

    // Another org, a v1 order, a made-up id and no token get nothing.
    const other = await orgHeaders("digdir");
    const answers = await Promise.all([
      call(`/notifications/api/v1/list/shipments/${main}/chain`, { headers: other }),
      call(`/notifications/api/v1/list/shipments/${v1Id}/chain`, { headers }),
      call(`/notifications/api/v1/list/shipments/not-an-id/chain`, { headers }),
      call(`/notifications/api/v1/list/shipments/${main}/chain`),
    ]);
    expect(answers.map((r) => r.status)).toEqual([404, 404, 404, 401]);
    expect((await answers[0]!.json<{ code: string }>()).code).toBe("NOT-00003");
  });

  it("puts each 400 error of the API on the form field that caused it", async () => {
    const d = draft({
      destination: "not-an-address",
      subject: " ",
      requestedSendTime: "2026-01-01T10:00:00",
      reminders: [reminderDraft({ delayDays: "0", destination: "12" }), reminderDraft({ smsBody: "" })],
    });
    const res = await postJson("/notifications/api/v1/future/orders", futureBody(d), await orgHeaders("ttd"));
    expect(res.status).toBe(400);
    const { errors } = await res.json<{ errors: Record<string, string[]> }>();
    const { fields, other } = fieldErrors(errors, d);
    expect(other).toEqual({});
    expect(Object.keys(fields).sort()).toEqual(
      [
        "main.destination",
        "main.subject",
        "main.requestedSendTime",
        "reminder0.delayDays",
        "reminder0.destination",
        "reminder1.smsBody",
      ].sort(),
    );
    expect(fields["main.subject"]).toBe("The email subject must not be empty.");
    expect(fields["reminder0.delayDays"]).toBe("DelayDays must be greater than or equal to 1 day.");

    const both = draft({
      kind: "person",
      destination: "1",
      channelSchema: "EmailAndSms",
      smsBody: "",
      smsPolicy: "Anytime",
    });
    const r2 = await postJson("/notifications/api/v1/future/orders", futureBody(both), await orgHeaders("ttd"));
    const e2 = fieldErrors((await r2.json<{ errors: Record<string, string[]> }>()).errors, both);
    expect(e2.fields).toEqual({
      "main.destination": "National identity number must be 11 digits long.",
      "main.smsBody": "SMS body cannot be null or empty.",
    });
  });

  it("a looked-up recipient without a contact point: 422 NOT-00001 with no field errors (the alert shows it)", async () => {
    const d = draft({ kind: "person", destination: "29029912345", channelSchema: "Sms" });
    const res = await postJson("/notifications/api/v1/future/orders", futureBody(d), await orgHeaders("ttd"));
    expect(res.status).toBe(422);
    const p = await res.json<{ code: string; detail: string; errors?: Record<string, string[]> }>();
    expect(p.code).toBe("NOT-00001");
    expect(p.detail).not.toBe("");
    expect(fieldErrors(p.errors, d)).toEqual({ fields: {}, other: {} });
  });

  it("reads a shipment and its chain through indexes", async () => {
    expectIndexed(await queryPlan(env.DB, SHIPMENT_SQL, "x", "ttd"));
    expectIndexed(await queryPlan(env.DB, CHAIN_SQL, "ttd", "2026-01-01T00:00:00.000Z", "x"));
  });
});
