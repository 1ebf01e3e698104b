// The push path without a D1 read per push (issue 10): the matcher hands each object a snapshot of
// the subscription and the consumer's right, and SPEC §4.5's rule still holds — a subscription
// deleted or a right revoked before the hand-over gets no push, a retry re-reads the registry, and
// a stale snapshot is not trusted.
import { createMessageBatch, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { candidateCache, handleEventsBatch } from "../../src/delivery/matcher";
import { SNAPSHOT_MAX_AGE_MS } from "../../src/delivery/snapshot";
import { CUT_OFF_ERROR } from "../../src/delivery/store";
import { deliveryStub } from "../../src/delivery/stub";
import { OUTBOX_GRACE_MS } from "../../src/events/outbox";
import { deleteSubscription } from "../../src/subscriptions/queries";
import { putResource } from "../helpers/admin";
import { deliveries, ev, poll, storeOnly, validatedSubscription } from "../helpers/delivery";

const RIGHT_LOST = "subscribe right";

/** Stores the events and runs the matcher on them, as the events queue would. */
async function match(events: ReturnType<typeof ev>[]): Promise<void> {
  const messages = [];
  for (const e of events) {
    const seq = await storeOnly(e, Date.now() + OUTBOX_GRACE_MS);
    messages.push({ id: `m-${seq}`, timestamp: new Date(), attempts: 1, body: { seq, event: e } });
  }
  await handleEventsBatch(createMessageBatch("varsel-events", messages), env);
}

/** What the object holds for its pushes: status, reason and attempts made, by event id. */
async function held(id: number) {
  return runInDurableObject(deliveryStub(env, id), (_i, s) =>
    s.storage.sql
      .exec<{ event_id: string; status: string; attempts: number }>("SELECT event_id, status, attempts FROM pushes")
      .toArray(),
  );
}

/** A subscription of org skd to a resource owned by ttd, through a subscribe grant. */
async function grantedSubscription() {
  const rid = `it-snap-${crypto.randomUUID().slice(0, 8)}`;
  await putResource(rid, "ttd", [{ subject: "/org/skd", actions: ["subscribe"] }]);
  const sub = await validatedSubscription(0, { org: "skd", resource: rid });
  return { ...sub, rid };
}

/** Waits until the first attempt of the event has its answer (here: the refused connection). */
async function firstAttemptMade(sub: { id: number; headers: Record<string, string> }, eventId: string) {
  return poll(async () => {
    const d = (await deliveries(sub.id, sub.headers)).find((x) => x.eventId === eventId);
    return d?.attempts[0] && d.attempts[0].error !== CUT_OFF_ERROR ? d : null;
  }, `the first attempt of ${eventId}`);
}

describe("push snapshots", { timeout: 60_000 }, () => {
  it("a subscribe grant removed by an admin before the matcher hands an event over: that event is not pushed", async () => {
    const sub = await grantedSubscription();
    const before = ev(sub.resource);
    await match([before]); // the matcher's cache now holds the resource with the grant
    await firstAttemptMade(sub, before.id);

    await putResource(sub.rid, "ttd", []);
    const after = ev(sub.resource);
    await match([after]);
    const d = await poll(async () => {
      const x = (await deliveries(sub.id, sub.headers)).find((y) => y.eventId === after.id);
      return x?.status === "failed" ? x : null;
    }, "the push after the revocation dead-lettered");
    expect(d.attempts).toEqual([]);
    expect((d as unknown as { reason: string }).reason).toContain(RIGHT_LOST);
  });

  it("a subscription deleted before the matcher hands an event over gets nothing, even if its object was not cleared", async () => {
    const sub = await validatedSubscription(0);
    const before = ev(sub.resource);
    await match([before]);
    await firstAttemptMade(sub, before.id);

    // The row goes, as DELETE does, but the object's queue is left (its destroy call failed).
    await deleteSubscription(env, sub.id);
    const after = ev(sub.resource);
    await match([after]);
    const pushes = await held(sub.id);
    expect(pushes.map((p) => p.event_id)).toEqual([before.id]);
  });

  it("a right revoked after the snapshot and before the retry: the retry reads the registry and stops", async () => {
    const sub = await grantedSubscription();
    const e = ev(sub.resource);
    await match([e]);
    const first = await firstAttemptMade(sub, e.id);
    expect(first.status).toBe("pending"); // nothing listens: a retry is scheduled

    await putResource(sub.rid, "ttd", []);
    await runInDurableObject(deliveryStub(env, sub.id), async (_i, s) => {
      s.storage.sql.exec("UPDATE pushes SET due_at = 0 WHERE status = 'pending'");
      await s.storage.setAlarm(Date.now());
    });
    await runDurableObjectAlarm(deliveryStub(env, sub.id));
    const d = await poll(async () => {
      const x = (await deliveries(sub.id, sub.headers)).find((y) => y.eventId === e.id);
      return x?.status === "failed" ? x : null;
    }, "the retry dead-lettered");
    expect(d.attempts).toHaveLength(1);
    expect((d as unknown as { reason: string }).reason).toContain(RIGHT_LOST);
  });

  it("a snapshot older than the bound is not trusted: the first attempt reads the registry", async () => {
    const sub = await grantedSubscription();
    await putResource(sub.rid, "ttd", []);
    const e = ev(sub.resource);
    const stale = {
      endPoint: "http://127.0.0.1:9/stale",
      secret: "whsec_c3RhbGU=",
      allowed: true,
      resource: sub.resource,
      gen: 1,
      at: Date.now() - SNAPSHOT_MAX_AGE_MS - 60_000,
    };
    expect(await deliveryStub(env, sub.id).enqueue([{ seq: 70_000_001, event: e }], stale)).toBe(1);
    const pushes = await poll(async () => {
      const p = await held(sub.id);
      return p[0]?.status === "failed" ? p : null;
    }, "the push dead-lettered");
    expect(pushes).toEqual([{ event_id: e.id, status: "failed", attempts: 0 }]);
  });

  it("a fresh snapshot is what the first attempt goes by: one that says the right is gone stops the push", async () => {
    const sub = await grantedSubscription(); // the registry still grants the right
    const e = ev(sub.resource);
    const revoked = {
      endPoint: "http://127.0.0.1:9/x",
      secret: "whsec_eA==",
      allowed: false,
      resource: sub.resource,
      gen: 1,
      at: Date.now(),
    };
    expect(await deliveryStub(env, sub.id).enqueue([{ seq: 70_000_002, event: e }], revoked)).toBe(1);
    const pushes = await poll(async () => {
      const p = await held(sub.id);
      return p[0]?.status === "failed" ? p : null;
    }, "the push dead-lettered");
    expect(pushes).toEqual([{ event_id: e.id, status: "failed", attempts: 0 }]);
  });

  it("when the matcher's cache starts over, the batch's already cached resources are still handed over", async () => {
    const a = await validatedSubscription(0);
    const b = await validatedSubscription(0);
    await match([ev(a.resource)]); // a's resource is cached
    // The cache is nearly full: b's resource, not cached, makes it start over.
    for (let i = candidateCache.size; i < 10_000; i++)
      candidateCache.set(`filler-${i}`, { gen: 0, subs: [], policy: null });
    try {
      const ea = ev(a.resource);
      await match([ea, ev(b.resource)]);
      expect((await held(a.id)).map((p) => p.event_id)).toContain(ea.id);
    } finally {
      for (const k of [...candidateCache.keys()]) if (k.startsWith("filler-")) candidateCache.delete(k);
    }
  });
});
