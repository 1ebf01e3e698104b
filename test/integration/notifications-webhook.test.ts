import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { BASE, postJson } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

const SECRET = `whsec_${btoa("varsel-webhook-test-secret-32bytes!")}`;
const hooked = { ...env, EMAIL_WEBHOOK_SECRET: SECRET };

async function sign(id: string, ts: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    Uint8Array.from(atob(SECRET.slice(6)), (c) => c.charCodeAt(0)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${ts}.${body}`)));
  return `v1,${btoa(String.fromCharCode(...mac))}`;
}

async function webhook(event: unknown, tamper = false, id = `msg_${crypto.randomUUID()}`): Promise<Response> {
  const body = JSON.stringify(event);
  const ts = Math.floor(Date.now() / 1000);
  const signature = await sign(id, ts, tamper ? body + " " : body);
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/notifications/api/v1/email/webhooks/resend`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "svix-id": id,
        "svix-timestamp": String(ts),
        "svix-signature": signature,
      },
      body,
    }),
    hooked,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("the provider's delivery webhook", () => {
  it("moves sent e-mails to Delivered and Failed_Bounced by provider message id, and completes the order", async () => {
    const ttd = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
    const due = new Date(Date.now() + 10 * 60_000);
    const res = await postJson(
      "/notifications/api/v1/orders/email",
      {
        subject: "s",
        body: "b",
        requestedSendTime: due.toISOString(),
        recipients: [{ emailAddress: "ok@example.com" }, { emailAddress: "bounce@example.com" }],
      },
      ttd,
    );
    const { orderId } = (await res.json()) as { orderId: string };
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(due.getTime() + 1000) }), env, ctx);
    await waitOnExecutionContext(ctx);
    // A report that overtakes the consumer recording the send: not lost, the provider is asked to send it again.
    const early = await webhook({
      type: "email.delivered",
      created_at: new Date().toISOString(),
      data: { email_id: "re_ok@example.com" },
    });
    expect(early.status).toBe(503);
    // As the HTTP provider leaves them after accepting: Succeeded with its message id.
    await env.DB.prepare(
      "UPDATE email_notifications SET status = 'Succeeded', provider_message_id = 're_' || email_address WHERE order_id = ?1",
    )
      .bind(orderId)
      .run();

    expect(
      (
        await webhook(
          { type: "email.delivered", created_at: new Date().toISOString(), data: { email_id: "re_ok@example.com" } },
          true,
        )
      ).status,
    ).toBe(401);
    expect(
      (
        await webhook({
          type: "email.delivered",
          created_at: new Date().toISOString(),
          data: { email_id: "re_ok@example.com" },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await webhook({
          type: "email.bounced",
          created_at: new Date().toISOString(),
          data: { email_id: "re_bounce@example.com" },
        })
      ).status,
    ).toBe(200);
    // The same report delivered twice is fine.
    expect(
      (
        await webhook({
          type: "email.delivered",
          created_at: new Date().toISOString(),
          data: { email_id: "re_ok@example.com" },
        })
      ).status,
    ).toBe(200);

    const list = (await (
      await worker.fetch(
        new Request(`${BASE}/notifications/api/v1/orders/${orderId}/notifications/email`, { headers: ttd }),
        env,
        createExecutionContext(),
      )
    ).json()) as {
      succeeded: number;
      notifications: { recipient: { emailAddress: string }; sendStatus: { status: string } }[];
    };
    expect(list.notifications.map((n) => [n.recipient.emailAddress, n.sendStatus.status])).toEqual([
      ["ok@example.com", "Delivered"],
      ["bounce@example.com", "Failed_Bounced"],
    ]);
    expect(list.succeeded).toBe(1);
    const status = (await (
      await worker.fetch(
        new Request(`${BASE}/notifications/api/v1/orders/${orderId}/status`, { headers: ttd }),
        env,
        createExecutionContext(),
      )
    ).json()) as { processingStatus: { status: string } };
    expect(status.processingStatus.status).toBe("Completed");
  });

  it("answers 404 for a provider it does not know", async () => {
    const res = await worker.fetch(
      new Request(`${BASE}/notifications/api/v1/email/webhooks/nope`, { method: "POST", body: "{}" }),
      hooked,
      createExecutionContext(),
    );
    expect(res.status).toBe(404);
  });

  it("asks again about an unknown e-mail only for a while after the report's time, then drops it with 200", async () => {
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    // Recent: perhaps the consumer has not stored the send yet; the provider delivers it again.
    expect(
      (await webhook({ type: "email.delivered", created_at: minutesAgo(1), data: { email_id: "re_not-ours" } })).status,
    ).toBe(503);
    // Long after its time: not ours (a shared provider account); 503 forever would get the endpoint disabled.
    const late = await webhook({
      type: "email.delivered",
      created_at: minutesAgo(11),
      data: { email_id: "re_not-ours" },
    });
    expect(late.status).toBe(200);
    expect(await late.json()).toEqual({ updated: 0 });
  });

  it("answers a replayed delivery (same svix-id) once, and still processes a delivery it answered 503", async () => {
    await env.DB.prepare(
      `INSERT INTO notification_orders (id, creator, created, requested_send_time, subject, body, content_type, from_address, recipients, recipient_count, status, last_update, next_recipient)
       VALUES ('replay-order', 'ttd', ?1, ?1, 's', 'b', 'Plain', 'a@b.no', '[]', 1, 'Processing', ?1, 1)`,
    )
      .bind(new Date().toISOString())
      .run();
    const now = new Date().toISOString();
    const event = { type: "email.delivered", created_at: now, data: { email_id: "re_replayed" } };
    // Not recorded yet: 503, and the delivery is not remembered, so its retry is applied.
    expect((await webhook(event, false, "msg_replay-1")).status).toBe(503);
    await env.DB.prepare(
      `INSERT INTO email_notifications (id, order_id, dedup_key, email_address, status, last_update, due_at, expires_at, provider_message_id)
       VALUES ('replay-n', 'replay-order', 'k', 'r@example.com', 'Succeeded', ?1, ?1, ?1, 're_replayed')`,
    )
      .bind(now)
      .run();
    const first = await webhook(event, false, "msg_replay-1");
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ updated: 1 });
    const replay = await webhook(event, false, "msg_replay-1");
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ updated: 0, duplicate: true });
    expect(
      (await env.DB.prepare("SELECT status FROM email_notifications WHERE id = 'replay-n'").first<{
        status: string;
      }>())!.status,
    ).toBe("Delivered");
  });
});
