// Order behaviours a sender notices that the other order tests do not reach over HTTP: a reserved
// person with ignoreReservation, reading with only a Platform Access Token, cancel once processing
// has started.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { call, postJson } from "../helpers/http";
import { altinnToken, bearer, platformToken } from "../helpers/tokens";
import { seedContacts } from "./orders-fixtures";

const ORDERS = "/notifications/api/v1/orders";
const DUE = Date.now() + 20 * 60_000;
let ttd: Record<string, string>;

async function tick(when: number): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: when, cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

beforeAll(async () => {
  ttd = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
  await seedContacts([
    ["persons/03039012345", { name: "Rita Reservert", email: "rita@example.com", mobile: null, reserved: true }],
  ]);
});

describe("orders, more", () => {
  it("sends to a reserved person when ignoreReservation is set, says the person is reserved, never shows the address", async () => {
    const res = await postJson(
      `${ORDERS}/email`,
      {
        subject: "Hei $recipientName$",
        body: "b",
        ignoreReservation: true,
        requestedSendTime: new Date(DUE).toISOString(),
        recipients: [{ nationalIdentityNumber: "03039012345" }],
      },
      ttd,
    );
    expect(res.status).toBe(202);
    const { orderId, recipientLookup } = (await res.json()) as {
      orderId: string;
      recipientLookup: { isReserved: string[] };
    };
    expect(recipientLookup.isReserved).toEqual(["03039012345"]);
    await tick(DUE + 1000);
    const list = (await (await call(`${ORDERS}/${orderId}/notifications/email`, { headers: ttd })).json()) as {
      generated: number;
      notifications: { recipient: Record<string, unknown>; sendStatus: { status: string } }[];
    };
    expect(list.generated).toBe(1);
    // SPEC §5.3: a reserved person's address is never shown to the orderer; it is held only to send.
    expect(list.notifications[0]!.recipient).toMatchObject({
      emailAddress: null,
      nationalIdentityNumber: "03039012345",
      isReserved: true,
    });
    expect(JSON.stringify(list)).not.toContain("rita@example.com");
    expect(list.notifications[0]!.sendStatus.status).not.toBe("Failed_RecipientReserved");
    const held = () =>
      env.DB.prepare("SELECT email_address AS a FROM email_notifications WHERE order_id = ?1")
        .bind(orderId)
        .first<{ a: string | null }>();
    expect((await held())!.a).toBe("rita@example.com");
    // Once final (as after the provider took it), the address is scrubbed by the next tick.
    await env.DB.prepare("UPDATE email_notifications SET status = 'Succeeded' WHERE order_id = ?1").bind(orderId).run();
    await tick(DUE + 2000);
    expect((await held())!.a).toBeNull();
  });

  it("lets an app read its own orders with only its Platform Access Token; another app's org gets 404", async () => {
    const app = { platformaccesstoken: await platformToken("ttd", "apps-test") };
    const res = await postJson(
      `${ORDERS}/email`,
      {
        subject: "s",
        body: "b",
        recipients: [{ emailAddress: "pat@example.com" }],
        requestedSendTime: new Date(DUE + 3600_000).toISOString(),
      },
      app,
    );
    const { orderId } = (await res.json()) as { orderId: string };
    expect((await call(`${ORDERS}/${orderId}`, { headers: app })).status).toBe(200);
    expect((await call(`${ORDERS}/${orderId}/status`, { headers: ttd })).status).toBe(200);
    expect(
      (
        await call(`${ORDERS}/${orderId}`, {
          headers: { platformaccesstoken: await platformToken("digdir", "some-app") },
        })
      ).status,
    ).toBe(404);
  });

  it("refuses to cancel an order once it is no longer Registered (409)", async () => {
    const res = await postJson(
      `${ORDERS}/email`,
      {
        subject: "s",
        body: "b",
        recipients: [{ emailAddress: "late-cancel@example.com" }],
        requestedSendTime: new Date(DUE + 2 * 3600_000).toISOString(),
      },
      ttd,
    );
    const { orderId } = (await res.json()) as { orderId: string };
    await tick(DUE + 2 * 3600_000 + 1000);
    const status = (
      (await (await call(`${ORDERS}/${orderId}/status`, { headers: ttd })).json()) as {
        processingStatus: { status: string };
      }
    ).processingStatus.status;
    expect(["Processing", "Completed"]).toContain(status);
    expect((await call(`${ORDERS}/${orderId}/cancel`, { method: "PUT", headers: ttd })).status).toBe(409);
  });
});
