// The D1 log's events outbox (SPEC §7.1; `EVENT_LOG=d1`, the mode of a database not yet migrated):
// an event waits in D1 until every matching subscription holds it, and the cron's sweep sends what
// is due within Cloudflare's queue limits, a piece at a time. The partitioned log's outbox (in each
// resource's head, handed over by its alarm) is tested in event-log.test.ts.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { sweepOutbox, type EventMessage } from "../../src/events/dispatch";
import { OUTBOX_GRACE_MS } from "../../src/events/outbox";

const RESOURCE = "urn:altinn:resource:outbox-nobody"; // no subscriptions: the matcher confirms at once

/** Stores events as publish does (in the outbox, due `dueAt`), each with `pad` bytes of data. */
async function storeEvents(
  n: number,
  pad: number,
  dueAt: number,
  tag = crypto.randomUUID().slice(0, 8),
): Promise<number[]> {
  const seqs: number[] = [];
  const stmt = env.DB.prepare(
    "INSERT INTO events (id, source, resource, type, time, cloudevent, stored_at, outbox_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
  );
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) => {
      const e = {
        id: `${tag}-${i + j}`,
        type: "t",
        source: "https://example.com/outbox",
        specversion: "1.0",
        resource: RESOURCE,
        time: new Date().toISOString(),
        data: "x".repeat(pad),
      };
      return stmt.bind(
        e.id,
        e.source,
        e.resource,
        e.type,
        e.time,
        JSON.stringify(e),
        new Date(dueAt - OUTBOX_GRACE_MS).toISOString(),
        dueAt,
      );
    });
    for (const r of await env.DB.batch<{ seq: number }>(batch)) seqs.push(r.results[0]!.seq);
  }
  return seqs;
}

const dueOf = async (seqs: number[]) =>
  (
    await env.DB.prepare(
      "SELECT outbox_due_at AS due FROM events WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq",
    )
      .bind(JSON.stringify(seqs))
      .all<{ due: number | null }>()
  ).results.map((r) => r.due);

/** A queue binding that enforces Cloudflare's documented limits, as `wrangler dev` does not. */
function limitedQueue(failWhen: (bodies: EventMessage[]) => boolean = () => false) {
  const sent: EventMessage[] = [];
  let calls = 0;
  const queue = {
    async send() {
      throw new Error("not used");
    },
    async sendBatch(messages: Iterable<MessageSendRequest<unknown>>) {
      calls++;
      const list = [...messages];
      const sizes = list.map((m) => new TextEncoder().encode(JSON.stringify(m.body)).byteLength);
      if (list.length > 100) throw new Error(`batch of ${list.length} messages (at most 100)`);
      if (sizes.some((s) => s > 128 * 1024)) throw new Error("message over 128 KB");
      if (sizes.reduce((a, b) => a + b, 0) > 256 * 1024) throw new Error("batch over 256 KB");
      const bodies = list.map((m) => m.body as EventMessage);
      if (failWhen(bodies)) throw new Error("Unknown Internal Error (15000)");
      sent.push(...bodies);
    },
  } as unknown as Queue<unknown>;
  return { queue, sent, calls: () => calls };
}

describe("events outbox", () => {
  it("re-sends an event that never reached the queue once it is a minute old, and only then", async () => {
    const [old] = await storeEvents(1, 10, Date.now() - 4 * 60_000);
    const [fresh] = await storeEvents(1, 10, Date.now() + OUTBOX_GRACE_MS);
    const ctx = createExecutionContext();
    // The D1 log pinned: with the partitioned log the cron's backfill would move these rows to it.
    const d1 = { ...env, EVENT_LOG: "d1" };
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), d1, ctx);
    await waitOnExecutionContext(ctx);
    const [oldDue, freshDue] = await dueOf([old!, fresh!]);
    // Sent (leased, or already confirmed by the matcher) versus untouched.
    expect(oldDue === null || oldDue! > Date.now()).toBe(true);
    expect(freshDue).toBeLessThanOrEqual(Date.now() + OUTBOX_GRACE_MS);
    expect(freshDue).not.toBeNull();
  });

  it("sends 100 events of 5 KB through workerd's real queue binding and the matcher takes them out", async () => {
    const seqs = await storeEvents(100, 5_000, Date.now() - 1000);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const deadline = Date.now() + 20_000;
    while ((await dueOf(seqs)).some((d) => d !== null) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect((await dueOf(seqs)).filter((d) => d !== null)).toEqual([]);
  });

  it("drains thousands in one tick within the limits, and a failing piece blocks none behind it", async () => {
    const seqs = await storeEvents(3000, 5_000, Date.now() - 1000);
    const failing = seqs[0]!;
    const q = limitedQueue((bodies) => bodies.some((b) => b.seq === failing));
    const now = new Date();
    const r = await sweepOutbox(env, now, q.queue);
    const sentSeqs = new Set(q.sent.map((m) => m.seq));
    const notSent = seqs.filter((s) => !sentSeqs.has(s));
    expect(notSent).toContain(failing);
    expect(notSent.length).toBeLessThan(60); // one piece of at most 256 KB
    expect(r).toEqual({ sent: 3000 - notSent.length, failed: notSent.length });
    expect(q.sent.every((m) => m.event?.resource === RESOURCE)).toBe(true);
    // The failed piece is due again a minute later; the next tick sends it.
    const later = await sweepOutbox(env, new Date(now.getTime() + 2 * 60_000), limitedQueue().queue);
    expect(later.failed).toBe(0);
    expect((await dueOf(notSent)).every((d) => d === null || d > now.getTime() + 2 * 60_000)).toBe(true);
  });

  it("an event too large for one message travels as its position and the matcher reads it from D1", async () => {
    const [big] = await storeEvents(1, 130_000, Date.now() - 1000);
    const q = limitedQueue();
    await sweepOutbox(env, new Date(), q.queue);
    expect(q.sent).toEqual([{ seq: big }]);
  });
});

describe("the cron's events work", () => {
  it("a failing outbox sweep does not stop retention: each piece catches its own error", async () => {
    const { runEventsScheduled } = await import("../../src/scheduled");
    const [old] = await storeEvents(1, 10, Date.now() - 200 * 86_400_000);
    // The D1 log's cron work (EVENT_LOG=d1): with the partitioned log configured, the tick would also
    // run the backfill over every row this file stored, which is not what this test is about.
    const sweepBroken = {
      ...env,
      EVENT_LOG: "d1",
      DB: new Proxy(env.DB, {
        get(target, prop) {
          const v = Reflect.get(target, prop);
          if (prop === "prepare")
            return (sql: string) => {
              if (sql.startsWith("UPDATE events SET outbox_due_at = ?1")) throw new Error("D1_ERROR: injected");
              return target.prepare(sql);
            };
          return typeof v === "function" ? v.bind(target) : v;
        },
      }),
    } as typeof env;
    await expect(runEventsScheduled(sweepBroken, new Date())).resolves.toBeUndefined();
    expect(await dueOf([old!])).toEqual([]);
  });
});
