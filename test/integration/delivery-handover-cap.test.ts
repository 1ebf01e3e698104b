// An event matching more subscriptions than one matcher invocation may call objects (SPEC §7.1:
// subrequests per invocation are bounded; every RPC to an object counts): the matcher hands over up
// to its cap and carries the rest over in a new queue message, until every subscription holds the
// event. The namespace here enforces the cap the way the platform does: the call past it throws.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { handleEventsBatch } from "../../src/delivery/matcher";
import { deliveryStub } from "../../src/delivery/stub";
import type { Env } from "../../src/env";
import { OUTBOX_GRACE_MS } from "../../src/events/outbox";
import { ENDPOINT, ev, storeOnly, validatedSubscription } from "../helpers/delivery";

const CAP = 3;

interface Pending {
  body: unknown;
  attempts: number;
}

/** An env whose object namespace refuses calls past `cap`, and whose events queue only records. */
function limitedEnv(cap: number, sent: unknown[]): { env: Env; calls: () => number } {
  let calls = 0;
  const ns = new Proxy(env.SUBSCRIPTION_DO, {
    get(target, prop) {
      if (prop === "get")
        return (id: DurableObjectId) => {
          if (++calls > cap) throw new Error("Too many subrequests.");
          return target.get(id);
        };
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const queue = {
    sendBatch: async (messages: Iterable<MessageSendRequest<unknown>>) => {
      for (const m of messages) sent.push(m.body);
    },
    send: async (body: unknown) => void sent.push(body),
  } as unknown as Queue<unknown>;
  return { env: { ...env, SUBSCRIPTION_DO: ns, EVENTS_QUEUE: queue }, calls: () => calls };
}

/** One consumer invocation over `pending`: returns what must run next (retried, or sent again). */
async function invocation(pending: Pending[]): Promise<{ next: Pending[]; calls: number }> {
  const sent: unknown[] = [];
  const limited = limitedEnv(CAP, sent);
  const next: Pending[] = [];
  const messages = pending.map((p, i) => ({
    id: `cap-${i}-${Math.random()}`,
    timestamp: new Date(),
    attempts: p.attempts,
    body: p.body,
    ack: () => undefined,
    retry: () => void next.push({ body: p.body, attempts: p.attempts + 1 }),
  }));
  const batch = {
    queue: "varsel-events",
    messages,
    ackAll: () => undefined,
    retryAll: () => undefined,
  } as unknown as MessageBatch<unknown>;
  await handleEventsBatch(batch, limited.env, CAP);
  return { next: [...next, ...sent.map((body) => ({ body, attempts: 1 }))], calls: limited.calls() };
}

async function holds(subscriptionId: number, eventId: string): Promise<boolean> {
  return runInDurableObject(
    deliveryStub(env, subscriptionId),
    (_i, s) => s.storage.sql.exec("SELECT 1 FROM pushes WHERE event_id = ?", eventId).toArray().length > 0,
  );
}

async function inOutbox(seq: number): Promise<boolean> {
  const row = await env.DB.prepare("SELECT outbox_due_at FROM events WHERE seq = ?").bind(seq).first();
  return row?.outbox_due_at !== null;
}

describe("hand-overs per matcher invocation", { timeout: 60_000 }, () => {
  it("an event matching more subscriptions than the cap reaches every one in parts, and leaves the outbox with the last", async () => {
    const first = await validatedSubscription(0);
    const rid = first.resource.slice("urn:altinn:resource:".length);
    const subs = [first];
    for (let i = 1; i < 7; i++)
      subs.push(await validatedSubscription(0, { resource: rid, endPoint: `${ENDPOINT}?n=${i}` }));
    const e = ev(first.resource);
    const seq = await storeOnly(e, Date.now() + OUTBOX_GRACE_MS);

    let pending: Pending[] = [{ body: { seq, event: e }, attempts: 1 }];
    const rounds: number[] = [];
    for (let round = 0; pending.length && round < 6; round++) {
      if (round > 0) expect(await inOutbox(seq)).toBe(true);
      const r = await invocation(pending);
      expect(r.calls).toBeLessThanOrEqual(CAP);
      rounds.push(r.calls);
      pending = r.next;
    }
    expect(pending).toEqual([]);
    expect(rounds).toEqual([3, 3, 1]);
    for (const s of subs) expect(await holds(s.id, e.id)).toBe(true);
    expect(await inOutbox(seq)).toBe(false);
  });

  it("a chain of parts keeps the event out of the sweep's reach while it makes progress", async () => {
    const first = await validatedSubscription(0);
    const rid = first.resource.slice("urn:altinn:resource:".length);
    for (let i = 1; i < 5; i++) await validatedSubscription(0, { resource: rid, endPoint: `${ENDPOINT}?k=${i}` });
    const e = ev(first.resource);
    // Published long ago: its grace minute is over, so the sweep would send it again, whole.
    const seq = await storeOnly(e, Date.now() - 5_000);
    const before = Date.now();
    const r = await invocation([{ body: { seq, event: e }, attempts: 1 }]);
    expect(r.next).toHaveLength(1); // the continuation
    const due = (await env.DB.prepare("SELECT outbox_due_at AS d FROM events WHERE seq = ?").bind(seq).first<{
      d: number;
    }>())!.d;
    expect(due).toBeGreaterThanOrEqual(before + OUTBOX_GRACE_MS);
  });

  it("a batch whose events together match more subscriptions than the cap: every event reaches each of its own", async () => {
    const a = await validatedSubscription(0);
    const ridA = a.resource.slice("urn:altinn:resource:".length);
    const subsA = [a, await validatedSubscription(0, { resource: ridA, endPoint: `${ENDPOINT}?a=1` })];
    const b = await validatedSubscription(0, { org: "skd" });
    const ridB = b.resource.slice("urn:altinn:resource:".length);
    const subsB = [b, await validatedSubscription(0, { org: "skd", resource: ridB, endPoint: `${ENDPOINT}?b=1` })];
    const ea = ev(a.resource);
    const eb = ev(b.resource);
    const seqA = await storeOnly(ea, Date.now() + OUTBOX_GRACE_MS);
    const seqB = await storeOnly(eb, Date.now() + OUTBOX_GRACE_MS);

    let pending: Pending[] = [
      { body: { seq: seqA, event: ea }, attempts: 1 },
      { body: { seq: seqB, event: eb }, attempts: 1 },
    ];
    for (let round = 0; pending.length && round < 6; round++) pending = (await invocation(pending)).next;
    expect(pending).toEqual([]);
    for (const s of subsA) expect(await holds(s.id, ea.id)).toBe(true);
    for (const s of subsB) expect(await holds(s.id, eb.id)).toBe(true);
    expect(await holds(a.id, eb.id)).toBe(false);
    expect(await inOutbox(seqA)).toBe(false);
    expect(await inOutbox(seqB)).toBe(false);
  });
});
