/**
 * Issue 8.7 and 8.8: e-mail sends survive a crash without a stall or a flood of duplicates, and a
 * misconfigured provider fails e-mails at once with the reason. The consumer and the cron are driven
 * directly inside workerd; the provider is a stand-in behind the EmailProvider interface so a send can
 * be held in flight (a crash is a consumer that never comes back).
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { EmailProvider, OutgoingEmail, SendResult } from "../../src/email/provider";
import { emailProvider } from "../../src/email/select";
import type { Env } from "../../src/env";
import { consumeEmailBatch, LAST_START_BEFORE_LEASE_END_MS, SEND_LEASE_MS } from "../../src/notifications/consumer";
import { LOST_AFTER_MS } from "../../src/notifications/email-outbox";
import { processDueOrders, sweepEmails } from "../../src/notifications/processing";
import { call, postJson } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";
import { recordingQueue } from "../helpers/recording-queue";

const ORDERS = "/notifications/api/v1/orders";
const DUE = Date.now() + 10 * 60_000;
let ttd: Record<string, string>;

beforeAll(async () => {
  ttd = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
});

/** Places an order of `n` addresses due at `when` and generates it with a recording queue. */
async function generated(n: number, when: number) {
  const res = await postJson(
    `${ORDERS}/email`,
    {
      subject: "s",
      body: "b",
      requestedSendTime: new Date(when).toISOString(),
      recipients: Array.from({ length: n }, (_, i) => ({ emailAddress: `crash${when}-${i}@example.com` })),
    },
    ttd,
  );
  const { orderId } = (await res.json()) as { orderId: string };
  const q = recordingQueue();
  const e: Env = { ...env, EMAIL_QUEUE: q.queue };
  await processDueOrders(e, new Date(when + 1000));
  return { orderId, q, env: e };
}

const statuses = async (orderId: string) => {
  const { results } = await env.DB.prepare(
    "SELECT status, count(*) AS n FROM email_notifications WHERE order_id = ?1 GROUP BY status",
  )
    .bind(orderId)
    .all<{ status: string; n: number }>();
  return Object.fromEntries(results.map((r) => [r.status, r.n]));
};

function batchOf(ids: string[], at: Date) {
  return createMessageBatch(
    "varsel-email",
    ids.map((notificationId) => ({
      id: `m-${crypto.randomUUID()}`,
      timestamp: at,
      attempts: 1,
      body: { notificationId },
    })),
  );
}

/** A provider that accepts the first `accept` sends at once and holds the rest until released. */
function holdingProvider(accept: number) {
  let sent = 0;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const provider: EmailProvider = {
    name: "holding",
    async send(mail: OutgoingEmail): Promise<SendResult> {
      if (++sent > accept) await held;
      return { ok: true, providerMessageId: `held-${mail.idempotencyKey}` };
    },
  };
  return { provider, release };
}

async function until<T>(probe: () => Promise<T | false>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== false) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("a crash mid-batch", () => {
  it("records each send's outcome as it completes, so only the sends in flight are left to repeat", async () => {
    const when = DUE;
    const { orderId, q } = await generated(20, when);
    expect(q.ids).toHaveLength(20);
    const at = new Date(when + 2000);
    const { provider, release } = holdingProvider(14);
    // The consumer sends 14, then six sends hang: the invocation "dies" with them in flight.
    const running = consumeEmailBatch(batchOf(q.ids, at), env, provider, () => at);
    const seen = await until(async () => {
      const s = await statuses(orderId);
      return s.Succeeded === 14 ? s : false;
    }, "14 outcomes stored while the batch is still running");
    expect(seen).toEqual({ Succeeded: 14, Sending: 6 });
    release();
    await running;
    expect(await statuses(orderId)).toEqual({ Succeeded: 20 });
  });

  it("starts no send after the claim's lease nears its end; the rest are handed back at once", async () => {
    const when = DUE + 3600_000;
    const { orderId, q } = await generated(10, when);
    const start = when + 2000;
    let sends = 0;
    // Each send takes (on this clock) a third of the lease: the first round fits, later rounds do not.
    const slow: EmailProvider = {
      name: "slow",
      send: async (m) => ({ ok: true, providerMessageId: `slow-${m.idempotencyKey}-${++sends}` }),
    };
    let calls = 0;
    const clock = () => new Date(start + (calls++ > 12 ? SEND_LEASE_MS - LAST_START_BEFORE_LEASE_END_MS : 0));
    const batch = batchOf(q.ids, new Date(start));
    await consumeEmailBatch(batch, env, slow, clock);
    const result = await getQueueResult(batch, createExecutionContext());
    const s = await statuses(orderId);
    expect(s.Sending ?? 0).toBe(0);
    expect((s.Succeeded ?? 0) + (s.New ?? 0)).toBe(10);
    expect(s.New).toBeGreaterThan(0);
    expect(result.retryMessages.length).toBe(s.New);
    expect(sends).toBe(s.Succeeded);
  });

  it("hands messages the queue lost to it again within LOST_AFTER_MS (90 s), not 10 minutes", async () => {
    const when = DUE + 2 * 3600_000;
    const { orderId, q, env: e } = await generated(3, when);
    expect(q.ids).toHaveLength(3);
    const first = [...q.ids];
    // The sweep also feeds other tests' unfinished orders into this queue: count only this order's.
    const mine = () => q.ids.filter((id) => first.includes(id));
    // Nothing consumes them (the queue lost its messages with the dev server's kill -9).
    await sweepEmails(e, new Date(when + 1000 + LOST_AFTER_MS - 1000));
    expect(mine()).toHaveLength(3);
    await sweepEmails(e, new Date(when + 1000 + LOST_AFTER_MS + 2000));
    expect(mine()).toHaveLength(6);
    expect(mine().slice(3).sort()).toEqual([...first].sort());
    expect(await statuses(orderId)).toEqual({ New: 3 });
  });

  it("hands sends whose consumer died back to the queue once their lease (90 s) has run out", async () => {
    const when = DUE + 3 * 3600_000;
    const { orderId, q, env: e } = await generated(2, when);
    const at = new Date(when + 2000);
    const { provider, release } = holdingProvider(0);
    // Claimed and never finished: the consumer is gone.
    const gone = consumeEmailBatch(batchOf(q.ids, at), env, provider, () => at);
    await until(async () => ((await statuses(orderId)).Sending === 2 ? true : false), "both claimed");
    const first = [...q.ids];
    const mine = () => q.ids.filter((id) => first.includes(id));
    await sweepEmails(e, new Date(at.getTime() + SEND_LEASE_MS - 1000));
    expect(mine()).toHaveLength(2);
    await sweepEmails(e, new Date(at.getTime() + SEND_LEASE_MS + 1000));
    expect(mine()).toHaveLength(4);
    expect(mine().slice(2).sort()).toEqual([...first].sort());
    expect(await statuses(orderId)).toEqual({ New: 2 });
    // Let the stalled invocation end so nothing is left running; its late outcomes touch no New row.
    release();
    await gone;
  });
});

describe("a misconfigured e-mail provider", () => {
  it("fails each e-mail at once with the reason on its status description, not Failed_TTL 48 h later", async () => {
    const when = DUE + 4 * 3600_000;
    const { orderId, q } = await generated(2, when);
    const wrong = { ...env, EMAIL_PROVIDER: "smtp", SMTP_HOST: "smtp.example.com", SMTP_PORT: "25" };
    const batch = batchOf(q.ids, new Date(when + 2000));
    await consumeEmailBatch(batch, wrong, emailProvider(wrong), () => new Date(when + 2000));
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.retryMessages).toEqual([]);
    const list = (await (await call(`${ORDERS}/${orderId}/notifications/email`, { headers: ttd })).json()) as {
      notifications: { sendStatus: { status: string; description: string } }[];
    };
    for (const n of list.notifications) {
      expect(n.sendStatus.status).toBe("Failed");
      expect(n.sendStatus.description).toMatch(/misconfigured.*SMTP_PORT 25 is closed to Workers/);
    }
    const status = (await (await call(`${ORDERS}/${orderId}/status`, { headers: ttd })).json()) as {
      processingStatus: { status: string };
    };
    expect(status.processingStatus.status).toBe("Completed");
  });
});
