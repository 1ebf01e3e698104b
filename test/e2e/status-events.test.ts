// Order status as events end to end (SPEC §5.6) against `npm start`: a real loopback receiver subscribes
// to urn:altinn:resource:notifications_ttd, an e-mail order (to the mail catcher) and an SMS order (to the
// SMS catcher, which reports DELIVRD back) are placed, and their status events arrive pushed and signed
// (verified with the public `standardwebhooks` package).
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVarsel, token, type Varsel, waitFor } from "./harness";
import { type Receiver, startReceiver, varselClient } from "./receiver";

const RESOURCE = "urn:altinn:resource:notifications_ttd";
const ORDERS = "/notifications/api/v1/orders";
const SCOPE = "altinn:serviceowner/notifications.create";

describe("status events pushed to the ordering org's subscription", () => {
  let varsel: Varsel;
  let rx: Receiver;
  beforeAll(async () => {
    [varsel, rx] = await Promise.all([startVarsel(), startReceiver()]);
  });
  afterAll(async () => {
    await Promise.all([varsel?.stop(), rx?.close()]);
  });

  async function order(kind: "email" | "sms", body: unknown): Promise<string> {
    const res = await fetch(`${varsel.base}${ORDERS}/${kind}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${await token({ org: "ttd", scope: SCOPE })}`,
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { orderId: string }).orderId;
  }

  it("pushes signed succeeded, accepted, delivered and shipment.completed events", async () => {
    const api = varselClient(varsel.base);
    const subscriber = await token({ org: "ttd", scope: "altinn:events.subscribe" });
    const created = await api.subscribe(subscriber, { endPoint: rx.url, resourceFilter: RESOURCE });
    expect(created.status).toBe(201);
    await waitFor(
      async () =>
        (await api.get(subscriber, `/events/api/v1/subscriptions/${created.body.id}`)).body.validated === true,
      60_000,
      "validated",
    );

    const emailOrder = await order("email", {
      subject: "Status",
      body: "Hei",
      recipients: [{ emailAddress: "status-events.e2e@example.com" }],
    });
    const smsOrder = await order("sms", { body: "Hei", recipients: [{ mobileNumber: "+4799999977" }] });

    const types = (shipment: string) =>
      rx
        .pushes()
        .filter((p) => p.json.subject === `/shipment/${shipment}`)
        .map((p) => p.json.type);
    await waitFor(
      () =>
        types(emailOrder).includes("no.varsel.notifications.shipment.completed") &&
        types(smsOrder).includes("no.varsel.notifications.sms.delivered") &&
        types(smsOrder).includes("no.varsel.notifications.shipment.completed"),
      120_000,
      "the status events",
    );
    expect(types(emailOrder)).toEqual([
      "no.varsel.notifications.email.succeeded",
      "no.varsel.notifications.shipment.completed",
    ]);
    expect([...types(smsOrder)].sort()).toEqual([
      "no.varsel.notifications.shipment.completed",
      "no.varsel.notifications.sms.accepted",
      "no.varsel.notifications.sms.delivered",
    ]);
    for (const push of rx.pushes()) {
      const verified = new Webhook(created.body.secret).verify(push.body, push.headers as Record<string, string>);
      expect(verified).toMatchObject({ resource: RESOURCE });
    }
    const delivered = rx.pushes().find((p) => p.json.type === "no.varsel.notifications.sms.delivered")!;
    expect(delivered.json.data).toMatchObject({
      shipmentId: smsOrder,
      destination: "+4799999977",
      status: "SMS_Delivered",
    });
  });
});
