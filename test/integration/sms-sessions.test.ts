// Issue 9: the SMS queue carries gateway sessions, an order has a small window of them in the queue,
// and the consumer is driven batch by batch over a FIFO queue (the workers project hands SMS to an
// unconsumed queue, so the test decides when each batch runs and how large it is).
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { XMLParser } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { processDueOrders } from "../../src/notifications/processing";
import { consumeSmsBatch, SEND_LEASE_MS } from "../../src/sms/consumer";
import { SESSION_SIZE, SMS_BATCH_SIZE } from "../../src/sms/feed";
import { sweepSms } from "../../src/sms/processing";
import { linkMobilityProvider } from "../../src/sms/provider";
import { postJson } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

const SCOPE = "altinn:serviceowner/notifications.create";
const DUE = Date.now() + 6 * 60_000;
const at = (offsetMs: number) => new Date(DUE + offsetMs);
let ttd: Record<string, string>;
let digdir: Record<string, string>;

/** A FIFO stand-in for the SMS queue: what is sent goes to the back, batches are taken from the front. */
function fifoQueue() {
  const bodies: unknown[] = [];
  const queue = {
    send: async (body: unknown) => void bodies.push(body),
    sendBatch: async (messages: Iterable<MessageSendRequest<unknown>>) => {
      for (const m of messages) bodies.push(m.body);
    },
  } as unknown as Queue<unknown>;
  return { queue, bodies, take: (n: number) => bodies.splice(0, n) };
}

/** A PSWin gateway as a fetch target: every session it received, as the receivers' numbers. */
function gateway() {
  const sessions: string[][] = [];
  const state = { down: false };
  const fetcher = (async (_url: RequestInfo | URL, init?: RequestInit) => {
    if (state.down) throw new Error("connect ECONNREFUSED");
    const doc = new XMLParser({ parseTagValue: false, isArray: (n) => n === "MSG" }).parse(String(init?.body));
    const msgs = doc.SESSION.MSGLST.MSG as Record<string, string>[];
    sessions.push(msgs.map((m) => m.RCV!));
    const reply = msgs.map(
      (m) => `<MSG><ID>${m.ID}</ID><STATUS>OK</STATUS><INFO></INFO><REF>ref-${crypto.randomUUID()}</REF></MSG>`,
    );
    return new Response(
      `<?xml version="1.0"?><SESSION><LOGON>OK</LOGON><REASON></REASON><MSGLST>${reply.join("")}</MSGLST></SESSION>`,
    );
  }) as typeof fetch;
  return {
    state,
    sessions,
    sent: () => sessions.flat(),
    provider: linkMobilityProvider("https://gateway.test/", "u", "p", fetcher),
  };
}

async function consume(e: Env, bodies: unknown[], provider: ReturnType<typeof gateway>["provider"], now: Date) {
  const batch = createMessageBatch(
    "varsel-sms",
    bodies.map((body) => ({ id: `m-${crypto.randomUUID()}`, timestamp: now, attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await consumeSmsBatch(batch, e, provider, () => now);
  return getQueueResult(batch, ctx);
}

async function place(headers: Record<string, string>, numbers: string[]): Promise<string> {
  const res = await postJson(
    "/notifications/api/v1/orders/sms",
    {
      body: "Hei",
      requestedSendTime: new Date(DUE).toISOString(),
      recipients: numbers.map((mobileNumber) => ({ mobileNumber })),
    },
    headers,
  );
  if (res.status !== 202) throw new Error(`order: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { orderId: string }).orderId;
}

async function statuses(orderId: string): Promise<Record<string, number>> {
  const { results } = await env.DB.prepare(
    "SELECT status, count(*) AS n FROM sms_notifications WHERE order_id = ?1 GROUP BY status",
  )
    .bind(orderId)
    .all<{ status: string; n: number }>();
  return Object.fromEntries(results.map((r) => [r.status, r.n]));
}

async function orderStatus(orderId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT status FROM notification_orders WHERE id = ?1")
    .bind(orderId)
    .first<{ status: string }>();
  return row!.status;
}

const numbers = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `+47${prefix}${String(i).padStart(8 - prefix.length, "0")}`);

beforeAll(async () => {
  ttd = bearer(await altinnToken({ org: "ttd", scope: SCOPE }));
  digdir = bearer(await altinnToken({ org: "digdir", scope: SCOPE }));
});

describe("fairness: one org's large SMS order and another org's single SMS", () => {
  it("B's SMS reaches the gateway in the first batch after it was queued; each of A's 2,000 goes exactly once", async () => {
    const fifo = fifoQueue();
    const e = { ...env, SMS_QUEUE: fifo.queue } as Env;
    const gw = gateway();
    const aNumbers = numbers("90", 2000);
    const a = await place(ttd, aNumbers);
    await processDueOrders(e, at(0));
    expect(await statuses(a)).toEqual({ New: 2000 });
    // A's order is generated whole, but only a window of it stands in the queue.
    expect(fifo.bodies.length).toBeLessThan(SMS_BATCH_SIZE);

    // Two batches of A go out, then org B orders one SMS.
    let clock = 1000;
    for (let i = 0; i < 2; i++) await consume(e, fifo.take(SMS_BATCH_SIZE), gw.provider, at((clock += 1000)));
    const sentBeforeB = gw.sent().length;
    expect(sentBeforeB).toBeGreaterThan(0);
    const b = await place(digdir, ["+4741234567"]);
    await processDueOrders(e, at((clock += 1000)));

    // The next batch carries it to the gateway.
    const result = await consume(e, fifo.take(SMS_BATCH_SIZE), gw.provider, at((clock += 1000)));
    expect(result.retryMessages).toEqual([]);
    expect(gw.sent()).toContain("+4741234567");
    expect(await statuses(b)).toEqual({ Accepted: 1 });

    // The rest of A, batch by batch, until the queue is empty.
    for (let i = 0; i < 200 && fifo.bodies.length; i++)
      await consume(e, fifo.take(SMS_BATCH_SIZE), gw.provider, at((clock += 1000)));
    const sentA = gw.sent().filter((n) => n !== "+4741234567");
    expect(sentA).toHaveLength(2000);
    expect(new Set(sentA)).toEqual(new Set(aNumbers));
    expect(Math.max(...gw.sessions.map((s) => s.length))).toBeLessThanOrEqual(SESSION_SIZE);
    expect(await statuses(a)).toEqual({ Accepted: 2000 });
    expect(await orderStatus(a)).toBe("Completed");
    expect(await orderStatus(b)).toBe("Completed");
  });
});

describe("a consumer that dies after the gateway took a session", () => {
  it("the session is sent again after the lease, once, and never while the lease holds", async () => {
    const fifo = fifoQueue();
    const e = { ...env, SMS_QUEUE: fifo.queue } as Env;
    const gw = gateway();
    const cNumbers = numbers("93", 150);
    const c = await place(ttd, cNumbers);
    await processDueOrders(e, at(0));
    const messages = fifo.take(SMS_BATCH_SIZE);
    expect(messages).toHaveLength(2); // 150 SMS: two sessions

    // The gateway takes both sessions; storing their outcomes fails (the consumer is gone).
    const dead = {
      ...e,
      DB: new Proxy(env.DB, {
        get(target, prop) {
          if (prop === "batch") return async () => Promise.reject(new Error("the isolate was torn down"));
          const v = Reflect.get(target, prop) as unknown;
          return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      }),
    } as Env;
    const crashed = await consume(dead, messages, gw.provider, at(10_000));
    expect(gw.sent()).toHaveLength(150);
    expect(crashed.retryMessages).toHaveLength(2);
    expect(await statuses(c)).toEqual({ Sending: 150 });

    // While the lease holds: the queue's redelivery and the cron's sweep send nothing.
    const early = await consume(e, messages, gw.provider, at(20_000));
    expect(early.retryMessages).toHaveLength(2);
    await sweepSms(e, at(10_000 + SEND_LEASE_MS - 5_000));
    expect(fifo.bodies).toEqual([]);
    expect(gw.sent()).toHaveLength(150);

    // After the lease: the sweep hands the sessions over again, and the redelivered messages too.
    const after = 10_000 + SEND_LEASE_MS + 1_000;
    await sweepSms(e, at(after));
    const again = [...fifo.take(SMS_BATCH_SIZE), ...messages];
    await consume(e, again, gw.provider, at(after + 1_000));
    await consume(e, messages, gw.provider, at(after + 2_000)); // one more duplicate: nothing
    const counts = new Map<string, number>();
    for (const n of gw.sent()) counts.set(n, (counts.get(n) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...cNumbers].sort());
    expect(new Set(counts.values())).toEqual(new Set([2]));
    expect(await statuses(c)).toEqual({ Accepted: 150 });
    expect(await orderStatus(c)).toBe("Completed");
  });
});

describe("the window when SMS cannot go yet", () => {
  it("a gateway outage keeps the order's sessions in its window and loses nothing; each SMS goes once when it is back", async () => {
    const fifo = fifoQueue();
    const e = { ...env, SMS_QUEUE: fifo.queue } as Env;
    const gw = gateway();
    const dNumbers = numbers("94", 700);
    const d = await place(ttd, dNumbers);
    await processDueOrders(e, at(0));
    gw.state.down = true;
    const first = fifo.take(SMS_BATCH_SIZE);
    const down = await consume(e, first, gw.provider, at(1000));
    expect(down.retryMessages).toHaveLength(first.length);
    // Nothing new was handed over while the sessions wait for their retry.
    expect(fifo.bodies).toEqual([]);
    expect(await statuses(d)).toEqual({ New: 700 });
    gw.state.down = false;
    await consume(e, first, gw.provider, at(60_000)); // the queue's retries
    for (let i = 0; i < 20 && fifo.bodies.length; i++)
      await consume(e, fifo.take(SMS_BATCH_SIZE), gw.provider, at(61_000 + i * 1000));
    expect(gw.sent().sort()).toEqual([...dNumbers].sort());
    expect(await statuses(d)).toEqual({ Accepted: 700 });
  });

  it("outside the Daytime window nothing is handed over; the morning's sweep hands over one window", async () => {
    const fifo = fifoQueue();
    const e = { ...env, SMS_QUEUE: fifo.queue, SMS_DAYTIME: "09-17", SMS_TIME_ZONE: "UTC" } as Env;
    const night = new Date(DUE);
    night.setUTCHours(20, 0, 0, 0);
    if (night.getTime() < DUE) night.setUTCDate(night.getUTCDate() + 1);
    const morning = new Date(night.getTime() + 13 * 3600_000);
    const n = await place(ttd, numbers("95", 700));
    await processDueOrders(e, night);
    await sweepSms(e, new Date(night.getTime() + 60_000));
    expect(fifo.bodies).toEqual([]);
    expect(await statuses(n)).toEqual({ New: 700 });
    await sweepSms(e, morning);
    const handed = fifo.bodies as { orderId: string; ids: string[] }[];
    expect(handed.map((m) => [m.orderId, m.ids.length])).toEqual(Array(6).fill([n, SESSION_SIZE]));
  });
});
