// Tenants stay out of each other's way in the events pipeline (SPEC §7.4, issue 7 point 7): a change
// to one resource's subscriptions reloads only that resource in the matcher's cache; one org's many
// hand-overs in a batch do not all go before another org's; and a subscription's object interleaves
// due retries with first attempts (issue 8 point 5).
import { createMessageBatch, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { candidateLoads, handleEventsBatch } from "../../src/delivery/matcher";
import { PushStore } from "../../src/delivery/store";
import type { Env } from "../../src/env";
import { OUTBOX_GRACE_MS } from "../../src/events/outbox";
import { putResource } from "../helpers/admin";
import { deliveries, ENDPOINT, ev, markValidated, storeOnly, SUBS, validatedSubscription } from "../helpers/delivery";
import { call, postJson } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

async function match(target: Env, events: ReturnType<typeof ev>[]): Promise<void> {
  const messages = [];
  for (const e of events) {
    const seq = await storeOnly(e, Date.now() + OUTBOX_GRACE_MS);
    messages.push({ id: `m-${seq}`, timestamp: new Date(), attempts: 1, body: { seq, event: e } });
  }
  await handleEventsBatch(createMessageBatch("varsel-events", messages), target);
}

describe("tenants in the matcher", { timeout: 60_000 }, () => {
  it("creating or deleting a subscription reloads the matcher's cache for that resource only", async () => {
    const a = await validatedSubscription(0, { org: "ttd" });
    const b = await validatedSubscription(0, { org: "digdir" });
    await match(env, [ev(a.resource), ev(b.resource)]);
    const before = { a: candidateLoads.get(a.resource)!, b: candidateLoads.get(b.resource)! };
    expect(before.a).toBeGreaterThan(0);

    // Another subscription on A's resource: A is reloaded (and the new one gets A's next event), B is not.
    const created = await postJson(SUBS, { endPoint: `${ENDPOINT}?second`, resourceFilter: a.resource }, a.headers);
    const { id: second } = (await created.json()) as { id: number };
    // Validated now: everything stored so far was published before it (as the real handshake records).
    await markValidated(
      second,
      (await env.DB.prepare("SELECT MAX(seq) AS seq FROM events").first<{ seq: number }>())!.seq,
    );
    const next = ev(a.resource);
    await match(env, [next, ev(b.resource)]);
    expect(candidateLoads.get(a.resource)).toBe(before.a + 1);
    expect(candidateLoads.get(b.resource)).toBe(before.b);
    expect((await deliveries(second, a.headers)).map((d) => d.eventId)).toEqual([next.id]);

    expect((await call(`${SUBS}/${second}`, { method: "DELETE", headers: a.headers })).status).toBe(200);
    await match(env, [ev(a.resource), ev(b.resource)]);
    expect(candidateLoads.get(a.resource)).toBe(before.a + 2);
    expect(candidateLoads.get(b.resource)).toBe(before.b);
  });

  it("one org's many hand-overs in a batch take turns with another org's", async () => {
    const rid = `it-burst-${crypto.randomUUID().slice(0, 8)}`;
    // An org of its own: 60 subscriptions stay within any per-consumer quota however other tests add up.
    await putResource(rid, "brst");
    const brst = bearer(await altinnToken({ org: "brst", scope: "altinn:events.subscribe altinn:events.publish" }));
    for (let i = 0; i < 60; i++) {
      const r = await postJson(
        SUBS,
        { endPoint: `${ENDPOINT}?burst=${i}`, resourceFilter: `urn:altinn:resource:${rid}` },
        brst,
      );
      expect(r.status).toBe(201);
    }
    const other = await validatedSubscription(0, { org: "digdir" });
    const order: string[] = [];
    const recording = {
      ...env,
      SUBSCRIPTION_DO: {
        idFromName: (name: string) => env.SUBSCRIPTION_DO.idFromName(name),
        get: (id: DurableObjectId) => {
          const real = env.SUBSCRIPTION_DO.get(id) as unknown as { enqueue: (items: unknown) => Promise<number> };
          return {
            enqueue: async (items: { event: { resource: string } }[]) => {
              order.push(items[0]!.event.resource);
              return real.enqueue(items);
            },
          };
        },
      },
    } as unknown as Env;
    // brst's event first in the batch: without turns, digdir's single hand-over would wait behind 60.
    await match(recording, [ev(`urn:altinn:resource:${rid}`), ev(other.resource)]);
    expect(order).toHaveLength(61);
    expect(order.indexOf(other.resource)).toBeLessThan(2);
  });
});

describe("a subscription object's own queue", () => {
  it("interleaves due retries with first attempts, first attempts in publish order", async () => {
    const ns = env.SUBSCRIPTION_DO;
    const picked = await runInDurableObject(ns.get(ns.idFromName(`fair-${crypto.randomUUID()}`)), (_i, state) => {
      const store = new PushStore(state.storage.sql);
      for (const seq of [1, 2, 3, 4, 5]) store.add(seq, `e${seq}`, "{}", 0);
      // 1 and 2 failed once and are due again; 3, 4 and 5 were never tried.
      for (const seq of [1, 2])
        store.beginAttempt(seq, 1, new Date(0), { kind: "retry", at: 10 + seq, reason: "HTTP 500" });
      const order: string[] = [];
      let last: "first" | "retry" | null = null;
      for (let p = store.nextDue(1000, last); p; p = store.nextDue(1000, last)) {
        order.push(`${p.kind}:${p.seq}`);
        last = p.kind;
        store.delivered(p.seq, 1000);
      }
      return order;
    });
    expect(picked).toEqual(["first:3", "retry:1", "first:4", "retry:2", "first:5"]);
  });
});
