// Issue 10 point 4 on the partitioned log (EVENT_LOG=objects): the calls that publishing one event
// and pushing it make to anything global (the one D1 database, the events queue, any object reached
// by more than one tenant), through wrapper bindings around the real D1 and Durable Object
// namespaces. The constants are documented in docs/event-log.md; the test fails if any grows with
// the number of tenants publishing at the same time.
import { createExecutionContext, env, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { deliveryStub } from "../../src/delivery/stub";
import type { Env } from "../../src/env";
import { eventLogStub } from "../../src/events/log/stubs";
import worker from "../../src/index";
import { deliveries, ENDPOINT, poll, validatedSubscription } from "../helpers/delivery";
import {
  countingDb,
  countingEnv,
  countingNamespace,
  emptyCalls,
  resetCalls,
  type GlobalCalls,
} from "../helpers/global-calls";
import { BASE } from "../helpers/http";

/** Per publish: the resource's policy read. Nothing else global: no insert into D1, no queue message. */
const PUBLISH_D1_PER_EVENT = 1;
/** Per publish, objects: the (source, id) guard (one of 4,096 by hash) and the resource's own log. */
const PUBLISH_OBJECTS_PER_EVENT = 2;
/** Per hand-over batch in the log's alarm: the resource's subscription generation. No outbox confirmation in D1. */
const HANDOVER_D1_PER_BATCH = 1;
/**
 * Per steady first push attempt: none. The log's hand-over gives each object a snapshot of its push
 * target (src/delivery/snapshot.ts), confirmed by the batch's generation read, as the matcher does.
 */
const PUSH_D1_PER_ATTEMPT = 0;

interface Tenant {
  sub: { id: number; resource: string; headers: Record<string, string> };
  /** D1 calls of the tenant's log object (its alarm) and of its subscription object. */
  logCalls: GlobalCalls;
  objectCalls: GlobalCalls;
}

const ORGS = ["ttd", "skd", "nav", "brg", "dat", "sfd", "svv", "hdir", "udi", "kv"];

async function tenants(n: number): Promise<Tenant[]> {
  const out: Tenant[] = [];
  for (const org of ORGS.slice(0, n)) {
    const sub = await validatedSubscription(0, { org, endPoint: `${ENDPOINT}?org=${org}` });
    const objectCalls = emptyCalls();
    const logCalls = emptyCalls();
    await runInDurableObject(deliveryStub(env, sub.id), (instance) => {
      const o = instance as unknown as { env: Env };
      o.env = { ...o.env, DB: countingDb(o.env.DB, objectCalls) };
    });
    await runInDurableObject(eventLogStub(env, sub.resource), (instance) => {
      const o = instance as unknown as { env: Env };
      o.env = {
        ...o.env,
        DB: countingDb(o.env.DB, logCalls),
        SUBSCRIPTION_DO: countingNamespace(o.env.SUBSCRIPTION_DO, logCalls),
      };
    });
    out.push({ sub, objectCalls, logCalls });
  }
  return out;
}

async function publishVia(target: Env, t: Tenant, n: number): Promise<void> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/events/api/v1/events`, {
      method: "POST",
      headers: { ...t.sub.headers, "content-type": "application/cloudevents+json" },
      body: JSON.stringify({
        id: crypto.randomUUID(),
        type: "it.counted",
        source: `https://it.example/counted/${n}`,
        specversion: "1.0",
        resource: t.sub.resource,
      }),
    }),
    target,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  expect(res.status).toBe(200);
}

async function attempted(all: Tenant[], pushes: number): Promise<void> {
  for (const t of all)
    await poll(
      async () => {
        const list = await deliveries(t.sub.id, t.sub.headers);
        return list.length >= pushes && list.every((d) => d.attempts.length >= 1);
      },
      `${pushes} push attempts of subscription ${t.sub.id}`,
      20_000,
    );
}

async function round(all: Tenant[], n: number) {
  const calls = emptyCalls();
  const base = countingEnv(env, calls, []);
  const target: Env = {
    ...base,
    EVENT_LOG: "objects",
    EVENT_LOG_DO: countingNamespace(env.EVENT_LOG_DO, calls),
    ID_GUARD_DO: countingNamespace(env.ID_GUARD_DO, calls),
  };
  for (const t of all) {
    resetCalls(t.objectCalls);
    resetCalls(t.logCalls);
  }
  const publish: { d1: number; queue: number; objects: string[] }[] = [];
  for (const t of all) {
    resetCalls(calls);
    await publishVia(target, t, n);
    publish.push({ d1: calls.d1.length, queue: calls.queueMessages, objects: [...calls.objects.keys()] });
  }
  await attempted(all, n);
  return {
    publish,
    handover: all.map((t) => ({ d1: t.logCalls.d1.length, objects: [...t.logCalls.objects.keys()] })),
    perObject: all.map((t) => t.objectCalls.d1.length),
  };
}

describe("global calls per event on the partitioned log (issue 10 point 4)", { timeout: 120_000 }, () => {
  it("publishing and pushing one event make a constant number of global calls, the same for 1 or 10 tenants", async () => {
    const results: Record<number, Awaited<ReturnType<typeof round>>> = {};
    for (const n of [1, 10]) {
      const all = await tenants(n);
      await round(all, 1); // warm-up: the log switch read once, candidate caches loaded
      results[n] = await round(all, 2);
      for (const [i, p] of results[n]!.publish.entries()) {
        expect({ d1: p.d1, queue: p.queue }).toEqual({ d1: PUBLISH_D1_PER_EVENT, queue: 0 });
        expect(p.objects).toHaveLength(PUBLISH_OBJECTS_PER_EVENT);
        // The tenant's own log, and a guard chosen by the event's (source, id).
        expect(p.objects).toContain(`log:${all[i]!.sub.resource}`);
        expect(p.objects.filter((o) => o.startsWith("guard:"))).toHaveLength(1);
      }
      // The log's alarm: one D1 statement per batch, one hand-over to the tenant's own subscription object.
      for (const [i, h] of results[n]!.handover.entries()) {
        expect(h.d1).toBe(HANDOVER_D1_PER_BATCH);
        expect(h.objects).toEqual([`subscription:${all[i]!.sub.id}`]);
      }
      expect(results[n]!.perObject).toEqual(Array(n).fill(PUSH_D1_PER_ATTEMPT));
    }
  });
});
