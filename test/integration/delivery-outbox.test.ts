// No loss when the matcher cannot hand events over (SPEC §7.1): an event leaves the outbox only when
// every matching subscription's object holds it. A matcher batch that fails past the queue's retries,
// an object unreachable for long, or a dead-lettered message: the cron's sweep sends the event again.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { handleEventsBatch, RETURN_TO_OUTBOX_AFTER } from "../../src/delivery/matcher";
import type { Env } from "../../src/env";
import { sweepOutbox } from "../../src/events/dispatch";
import { OUTBOX_GRACE_MS } from "../../src/events/outbox";
import { handleQueueBatch } from "../../src/queues";
import { deliveries, ev, poll, storeOnly, validatedSubscription } from "../helpers/delivery";

/** D1 answering every statement with an error, as a `candidates()` read failing on Cloudflare would. */
const brokenDb = {
  ...env,
  DB: new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "prepare" || prop === "batch")
        return () => {
          throw new Error("D1_ERROR: injected failure");
        };
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }),
} as unknown as Env;

// The objects are unreachable: every hand-over fails.
const unreachable = {
  ...env,
  SUBSCRIPTION_DO: {
    idFromName: (name: string) => env.SUBSCRIPTION_DO.idFromName(name),
    get: () => ({ enqueue: async () => Promise.reject(new Error("object unavailable")) }),
  },
} as unknown as Env;

const dueOf = async (seq: number) =>
  (await env.DB.prepare("SELECT outbox_due_at AS due FROM events WHERE seq = ?")
    .bind(seq)
    .first<{ due: number | null }>())!.due;

async function deliver(target: Env, seq: number, event: ReturnType<typeof ev>, attempts: number) {
  const batch = createMessageBatch("varsel-events", [
    { id: `m-${seq}-${attempts}`, timestamp: new Date(), attempts, body: { seq, event } },
  ]);
  await handleEventsBatch(batch, target);
  return getQueueResult(batch, createExecutionContext());
}

describe("a hand-over that keeps failing", { timeout: 30_000 }, () => {
  it("a matcher failing past all its retries loses nothing: the cron's sweep brings the event to the subscription", async () => {
    const sub = await validatedSubscription(0);
    const e = ev(sub.resource);
    const publishedAt = Date.now();
    const seq = await storeOnly(e, publishedAt + OUTBOX_GRACE_MS);
    // Every queue attempt fails inside the matcher (D1 down), up to the consumer's max_retries; even
    // the return to the outbox fails, so the queue gives the message up.
    for (let attempt = 1; attempt <= 10; attempt++) {
      const r = await deliver(brokenDb, seq, e, attempt);
      expect(r.retryMessages).toHaveLength(1);
    }
    expect(await deliveries(sub.id, sub.headers)).toEqual([]);
    // The event is still in the outbox: the cron's sweep sends it once due, and it arrives.
    expect(await dueOf(seq)).toBe(publishedAt + OUTBOX_GRACE_MS);
    await sweepOutbox(env, new Date(publishedAt + OUTBOX_GRACE_MS + 1000));
    const d = await poll(async () => {
      const list = await deliveries(sub.id, sub.headers);
      return list.length ? list : null;
    }, "the event at the subscription's object");
    expect(d.map((x) => x.eventId)).toEqual([e.id]);
    await poll(async () => (await dueOf(seq)) === null, "the event out of the outbox");
  });

  it("is retried by the queue, then returned to the outbox at once instead of being dropped", async () => {
    const sub = await validatedSubscription(0);
    const e = ev(sub.resource);
    const seq = await storeOnly(e, Date.now() + OUTBOX_GRACE_MS);
    const early = await deliver(unreachable, seq, e, 1);
    expect(early.retryMessages).toHaveLength(1);
    expect(await dueOf(seq)).toBeGreaterThan(Date.now());

    const late = await deliver(unreachable, seq, e, RETURN_TO_OUTBOX_AFTER);
    expect(late.retryMessages).toEqual([]);
    expect(late.explicitAcks).toHaveLength(1);
    expect(await dueOf(seq)).toBeLessThanOrEqual(Date.now());
  });

  it("the events dead-letter queue's consumer puts what the queue gave up on back into the outbox", async () => {
    const sub = await validatedSubscription(0);
    const e = ev(sub.resource);
    const seq = await storeOnly(e, Date.now() + 10 * 60_000);
    const batch = createMessageBatch("varsel-events-dlq", [
      { id: `dl-${seq}`, timestamp: new Date(), attempts: 1, body: { seq, event: e } },
    ]);
    await handleQueueBatch(batch, env, createExecutionContext());
    const result = await getQueueResult(batch, createExecutionContext());
    expect(result.ackAll).toBe(true);
    expect(await dueOf(seq)).toBeLessThanOrEqual(Date.now());
    await sweepOutbox(env, new Date());
    await poll(
      async () => (await deliveries(sub.id, sub.headers)).length === 1,
      "the event at the subscription's object",
    );
  });

  it("a successful hand-over takes the event out of the outbox", async () => {
    const sub = await validatedSubscription(0);
    const e = ev(sub.resource);
    const seq = await storeOnly(e, Date.now() + OUTBOX_GRACE_MS);
    const r = await deliver(env, seq, e, 1);
    expect(r.explicitAcks).toHaveLength(1);
    expect(await dueOf(seq)).toBeNull();
    expect((await deliveries(sub.id, sub.headers)).map((x) => x.eventId)).toEqual([e.id]);
  });
});
