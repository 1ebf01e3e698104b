/**
 * A consumer that dies mid-send leaves its e-mail in `Sending`. Once the send's lease has run out,
 * the cron hands it to the queue again and the next delivery may claim and send it: the e-mail is
 * not stuck, and while the lease holds nobody else sends it.
 */
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
import { consumeEmailBatch, SEND_LEASE_MS } from "../../src/notifications/consumer";
import { processingOrders } from "../../src/notifications/email-outbox";
import { putResource } from "../helpers/admin";
import { postJson } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

const DUE = Date.now() + 10 * 60_000;
let ttd: Record<string, string>;

beforeAll(async () => {
  ttd = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
});

async function tick(when: Date): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: when.getTime(), cron: "* * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

type Row = { id: string; status: string; attempts: number; enqueued_at: string | null; sending_until: string | null };
const row = async (orderId: string) =>
  (await env.DB.prepare(
    "SELECT id, status, attempts, enqueued_at, sending_until FROM email_notifications WHERE order_id = ?1",
  )
    .bind(orderId)
    .first<Row>())!;

// The provider is unreachable, so a claimed send fails transiently and we can watch the claim itself.
const down = { ...env, EMAIL_PROVIDER: "smtp", SMTP_HOST: "127.0.0.1", SMTP_PORT: "1", EMAIL_RETRY_SCHEDULE: "5" };
async function deliver(notificationId: string, now: Date) {
  const batch = createMessageBatch("varsel-email", [
    { id: `m-${crypto.randomUUID()}`, timestamp: now, attempts: 1, body: { notificationId } },
  ]);
  const ctx = createExecutionContext();
  await consumeEmailBatch(batch, down, emailProvider(down), () => now);
  return getQueueResult(batch, ctx);
}

describe("a send whose consumer died", () => {
  it("is left alone while its lease holds, then handed over again and claimed", async () => {
    const res = await postJson(
      "/notifications/api/v1/orders/email",
      {
        subject: "s",
        body: "b",
        requestedSendTime: new Date(DUE).toISOString(),
        recipients: [{ emailAddress: "lease@example.com" }],
      },
      ttd,
    );
    expect(res.status).toBe(202);
    const { orderId } = (await res.json()) as { orderId: string };
    await tick(new Date(DUE + 1000));
    const generated = await row(orderId);
    expect(generated.status).toBe("New");

    // A consumer claims it (attempt 1) and dies before storing any outcome.
    const crashAt = new Date(DUE + 2000);
    const leaseUntil = new Date(crashAt.getTime() + SEND_LEASE_MS);
    await env.DB.prepare(
      "UPDATE email_notifications SET status = 'Sending', attempts = 1, sending_until = ?2, enqueued_at = ?3 WHERE id = ?1",
    )
      .bind(generated.id, leaseUntil.toISOString(), new Date(DUE + 1000).toISOString())
      .run();

    // Within the lease: a redelivered message does not send it again, it comes back later.
    const during = await deliver(generated.id, new Date(crashAt.getTime() + 10_000));
    expect(during.retryMessages).toHaveLength(1);
    expect(await row(orderId)).toMatchObject({ status: "Sending", attempts: 1 });
    await tick(new Date(crashAt.getTime() + 10_000));
    expect((await row(orderId)).enqueued_at).toBe(new Date(DUE + 1000).toISOString());

    // After the lease: the cron's sweep hands it over again at once, and the next delivery claims it.
    const after = new Date(leaseUntil.getTime() + 1000);
    await tick(after);
    expect((await row(orderId)).enqueued_at).toBe(after.toISOString());
    const retried = await deliver(generated.id, after);
    expect(retried.retryMessages).toHaveLength(1);
    expect(await row(orderId)).toMatchObject({ status: "New", attempts: 2 });
  });

  it("an order whose tick died after its last chunk is taken over after the lease and completed", async () => {
    // Only unknown persons: every notification is final at generation, none goes through the queue.
    const res = await postJson(
      "/notifications/api/v1/orders/email",
      {
        subject: "s",
        body: "b",
        requestedSendTime: new Date(DUE + 3600_000).toISOString(),
        recipients: [{ nationalIdentityNumber: "99999999999" }],
      },
      ttd,
    );
    const { orderId } = (await res.json()) as { orderId: string };
    await tick(new Date(DUE + 3600_000 + 1000));
    const status = async () =>
      (await env.DB.prepare("SELECT status FROM notification_orders WHERE id = ?1")
        .bind(orderId)
        .first<{ status: string }>())!.status;
    expect(await status()).toBe("Completed");
    // Put it back as a crashed tick leaves it: generation done, still claimed, never completed.
    const leaseEnd = DUE + 3600_000 + 61_000;
    await env.DB.prepare(
      "UPDATE notification_orders SET status = 'Processing', claim_token = 'dead-tick', lease_until = ?2 WHERE id = ?1",
    )
      .bind(orderId, new Date(leaseEnd).toISOString())
      .run();
    await tick(new Date(leaseEnd - 1000));
    expect(await status()).toBe("Processing");
    await tick(new Date(leaseEnd + 1000));
    expect(await status()).toBe("Completed");
    expect((await row(orderId)).status).toBe("Failed_RecipientNotIdentified");
  });

  it("an order killed mid-chunk (CPU, memory) counts each expired re-claim as a failure and stops at the limit", async () => {
    const when = DUE + 7200_000;
    const res = await postJson(
      "/notifications/api/v1/orders/email",
      {
        subject: "s",
        body: "b",
        requestedSendTime: new Date(when).toISOString(),
        recipients: [{ emailAddress: "killed-1@example.com" }, { emailAddress: "killed-2@example.com" }],
      },
      ttd,
    );
    const { orderId } = (await res.json()) as { orderId: string };
    // As four killed ticks leave it: claimed, lease run out, nothing generated, nothing caught.
    await env.DB.prepare(
      "UPDATE notification_orders SET status = 'Processing', claim_token = 'killed', lease_until = ?2, failures = 4 WHERE id = ?1",
    )
      .bind(orderId, new Date(when).toISOString())
      .run();
    await tick(new Date(when + 1000));
    const order = (await env.DB.prepare("SELECT status, status_reason, failures FROM notification_orders WHERE id = ?1")
      .bind(orderId)
      .first<{ status: string; status_reason: string | null; failures: number }>())!;
    expect(order.failures).toBe(5);
    expect(order.status_reason).toContain("stopped after 5");
    expect(order.status).toBe("Completed");
    const made = await env.DB.prepare("SELECT count(*) AS n FROM email_notifications WHERE order_id = ?1")
      .bind(orderId)
      .first<{ n: number }>();
    expect(made!.n).toBe(0);
  });

  it("an order whose notify right was revoked before generation stops reaching the audience, with the reason", async () => {
    const when = DUE + 9000_000;
    await putResource("revoked-notify", "ttd");
    const res = await postJson(
      "/notifications/api/v1/orders/email",
      {
        subject: "s",
        body: "b",
        resourceId: "urn:altinn:resource:revoked-notify",
        requestedSendTime: new Date(when).toISOString(),
        recipients: [{ emailAddress: "revoked-1@example.com" }],
      },
      ttd,
    );
    expect(res.status).toBe(202);
    const { orderId } = (await res.json()) as { orderId: string };
    // The resource moves to another owner: ttd no longer may notify on its behalf.
    await putResource("revoked-notify", "digdir");
    await tick(new Date(when + 1000));
    const order = (await env.DB.prepare("SELECT status, status_reason FROM notification_orders WHERE id = ?1")
      .bind(orderId)
      .first<{ status: string; status_reason: string | null }>())!;
    expect(order.status_reason).toContain("may no longer notify");
    expect(order.status).toBe("Completed");
    const made = await env.DB.prepare("SELECT count(*) AS n FROM email_notifications WHERE order_id = ?1")
      .bind(orderId)
      .first<{ n: number }>();
    expect(made!.n).toBe(0);
  });

  it("the cron's top-up rotates through every Processing order past its per-tick limit", async () => {
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await postJson(
        "/notifications/api/v1/orders/email",
        {
          subject: "s",
          body: "b",
          requestedSendTime: new Date(DUE + 20_000_000).toISOString(),
          recipients: [{ emailAddress: `rotate-${i}@example.com` }],
        },
        ttd,
      );
      mine.push(((await res.json()) as { orderId: string }).orderId);
    }
    for (const id of mine)
      await env.DB.prepare("UPDATE notification_orders SET status = 'Processing' WHERE id = ?1").bind(id).run();
    const total = (await env.DB.prepare(
      "SELECT count(*) AS n FROM notification_orders WHERE status = 'Processing'",
    ).first<{
      n: number;
    }>())!.n;
    const seen = new Set<string>();
    for (let tickNo = 0; tickNo < Math.ceil(total / 2); tickNo++)
      for (const id of await processingOrders(env, new Date(DUE + tickNo * 60_000), 2)) seen.add(id);
    expect(mine.filter((id) => !seen.has(id))).toEqual([]);
  });
});
