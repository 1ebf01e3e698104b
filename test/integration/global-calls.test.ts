// Issue 10 point 4, on the D1 log (one D1 database, global `seq`; `EVENT_LOG=d1`, the mode of a
// database not yet migrated, pinned here: the partitioned log's counterpart is
// event-log-global-calls.test.ts): counts the calls that publishing
// one event and pushing it make to anything global, through wrapper bindings around the real D1,
// events queue and Durable Object namespace. The counts are the constants documented in
// docs/operations.md ("Capacity model"); the test fails if any of them grows with the number of
// tenants publishing at the same time, or if any Durable Object is reached by more than one tenant.
import {
  createExecutionContext,
  createMessageBatch,
  env,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { handleEventsBatch } from "../../src/delivery/matcher";
import { CUT_OFF_ERROR } from "../../src/delivery/store";
import { deliveryStub } from "../../src/delivery/stub";
import type { Env } from "../../src/env";
import worker from "../../src/index";
import { countingDb, countingEnv, emptyCalls, resetCalls, type GlobalCalls } from "../helpers/global-calls";
import { sweepOutbox } from "../../src/events/dispatch";
import { deliveries, ENDPOINT, ev, poll, storeOnly, validatedSubscription } from "../helpers/delivery";
import { BASE } from "../helpers/http";
import { expectIndexed, queryPlan } from "../helpers/query-plan";
import { recordingEnv } from "../helpers/recording-db";

/** The documented constants (docs/operations.md, "Capacity model"): global calls today. */
const PUBLISH_D1_PER_EVENT = 2; // the resource's policy read, the insert (with its outbox column)
const PUBLISH_QUEUE_PER_EVENT = 1; // the events queue message
const MATCHER_D1_PER_BATCH = 2; // the resources' matcher generations, the outbox confirmation
// A steady first attempt: none. The matcher's hand-over carries the subscription and the consumer's
// right, confirmed by its generation read (src/delivery/snapshot.ts); retries and stale snapshots read
// the subscription row and the resource's policy (2).
const PUSH_D1_PER_FIRST_ATTEMPT = 0;
const PUSH_D1_PER_RETRY = 2;

interface Tenant {
  sub: { id: number; resource: string; headers: Record<string, string> };
  /** The subscription object's own D1 calls. */
  objectCalls: GlobalCalls;
}

const ORGS = ["ttd", "skd", "nav", "brg", "dat", "sfd", "svv", "hdir", "udi", "kv"];

async function tenants(n: number): Promise<Tenant[]> {
  const out: Tenant[] = [];
  for (const org of ORGS.slice(0, n)) {
    const sub = await validatedSubscription(0, { org, endPoint: `${ENDPOINT}?org=${org}` });
    const objectCalls = emptyCalls();
    // The object's own bindings, wrapped the same way: its D1 calls are counted too.
    await runInDurableObject(deliveryStub(env, sub.id), (instance) => {
      const o = instance as unknown as { env: Env };
      o.env = { ...o.env, DB: countingDb(o.env.DB, objectCalls) };
    });
    out.push({ sub, objectCalls });
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
    // The D1 log, pinned (see the top of this file).
    { ...target, EVENT_LOG: "d1" },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  expect(res.status).toBe(200);
}

async function matchBatch(target: Env, sent: unknown[]): Promise<void> {
  const batch = createMessageBatch(
    "varsel-events",
    sent.splice(0).map((body, i) => ({ id: `m-${Date.now()}-${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  await handleEventsBatch(batch, target);
}

/** Waits until each tenant's subscription has attempted `pushes` pushes (each fails: nothing listens). */
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

/**
 * One round: every tenant publishes one event to its own resource (interleaved), the matcher hands
 * the batch over, every subscription attempts its push. Returns the global calls per step.
 */
async function round(all: Tenant[], n: number) {
  const calls = emptyCalls();
  const sent: unknown[] = [];
  const target = countingEnv(env, calls, sent);
  for (const t of all) resetCalls(t.objectCalls);

  const publish: { d1: number; queue: number }[] = [];
  for (const t of all) {
    resetCalls(calls);
    await publishVia(target, t, n);
    publish.push({ d1: calls.d1.length, queue: calls.queueMessages });
  }
  resetCalls(calls);
  await matchBatch(target, sent);
  const matcher = { d1: calls.d1.length, objects: new Map(calls.objects) };
  await attempted(all, n);
  const perObject = all.map((t) => t.objectCalls.d1.length);
  return { publish, matcher, perObject };
}

describe("global calls per event on the D1 log (EVENT_LOG=d1, issue 10 point 4)", { timeout: 120_000 }, () => {
  it("publishing and pushing one event make a constant number of global calls, the same for 1 or 10 tenants", async () => {
    const results: Record<number, Awaited<ReturnType<typeof round>>> = {};
    for (const n of [1, 10]) {
      const all = await tenants(n);
      await round(all, 1); // warm-up: candidate caches loaded, each object's first hand-over
      results[n] = await round(all, 2);
    }
    for (const n of [1, 10]) {
      const r = results[n]!;
      // Publishing: per event, whatever else is published.
      for (const p of r.publish) expect(p).toEqual({ d1: PUBLISH_D1_PER_EVENT, queue: PUBLISH_QUEUE_PER_EVENT });
      // Matching: per batch, not per event or per tenant.
      expect(r.matcher.d1).toBe(MATCHER_D1_PER_BATCH);
      // Each hand-over goes to that subscription's own object; no object is reached by two tenants.
      expect([...r.matcher.objects.values()]).toEqual(Array(n).fill(1));
      expect(new Set([...r.matcher.objects.keys()]).size).toBe(n);
    }
    // Pushing: a first attempt reads nothing from D1, the right comes with the hand-over. Other
    // tenants' events between two of its own (a hole in the global `seq`) cost nothing either: the
    // matcher says which event of the resource came before, so the object does not check the hole.
    expect(results[1]!.perObject).toEqual([PUSH_D1_PER_FIRST_ATTEMPT]);
    expect(results[10]!.perObject).toEqual(Array(10).fill(PUSH_D1_PER_FIRST_ATTEMPT));
  });

  it("a retry reads the subscription row and the resource's policy again, nothing more", async () => {
    const [t] = await tenants(1);
    const sent: unknown[] = [];
    const target = countingEnv(env, emptyCalls(), sent);
    await publishVia(target, t!, 1);
    await matchBatch(target, sent);
    await poll(async () => {
      const first = (await deliveries(t!.sub.id, t!.sub.headers))[0]?.attempts[0];
      return first && first.error !== CUT_OFF_ERROR; // answered (refused), its retry scheduled
    }, "the first attempt's answer");
    resetCalls(t!.objectCalls);
    await runInDurableObject(deliveryStub(env, t!.sub.id), async (_i, s) => {
      s.storage.sql.exec("UPDATE pushes SET due_at = 0 WHERE status = 'pending'");
      await s.storage.setAlarm(Date.now());
    });
    await runDurableObjectAlarm(deliveryStub(env, t!.sub.id));
    await poll(async () => ((await deliveries(t!.sub.id, t!.sub.headers))[0]?.attempts.length ?? 0) >= 2, "the retry");
    expect(t!.objectCalls.d1).toHaveLength(PUSH_D1_PER_RETRY);
  });

  it("an event of the resource whose message was lost is still filled in before the next one", async () => {
    const [t] = await tenants(1);
    const calls = emptyCalls();
    const sent: unknown[] = [];
    const target = countingEnv(env, calls, sent);
    await publishVia(target, t!, 1);
    await matchBatch(target, sent);
    await attempted([t!], 1);
    await publishVia(target, t!, 2);
    sent.splice(0); // the second event's queue message is lost
    await publishVia(target, t!, 3);
    resetCalls(t!.objectCalls);
    await matchBatch(target, sent);
    // The third names the second as its predecessor, which the object never saw: it reads it from D1.
    await attempted([t!], 3);
    const sources = (await deliveries(t!.sub.id, t!.sub.headers)).length;
    expect(sources).toBe(3);
    expect(t!.objectCalls.d1.some((sql) => sql.includes("FROM events WHERE resource = ?"))).toBe(true);
  });

  it("the insert finds its resource's previous event through the resource index, without a scan", async () => {
    const [t] = await tenants(1);
    const recorded = recordingEnv(env);
    await publishVia(countingEnv(recorded.env, emptyCalls(), []), t!, 1);
    const insert = recorded.statements.find((s) => /^insert into "events"/i.test(s.sql))!;
    expect(insert.sql).toContain("prev_seq");
    const plan = await queryPlan(env.DB, insert.sql, ...insert.binds);
    expectIndexed(plan);
    expect(plan.join("\n")).toContain("events_resource_seq");
  });

  it("events stored before migration 0013 (no previous position) still go out through the outbox, in order", async () => {
    const [t] = await tenants(1);
    // As rows written by the code before 0013: prev_seq NULL, due in the outbox.
    const old = [ev(t!.sub.resource), ev(t!.sub.resource)];
    for (const e of old) await storeOnly(e, Date.now() - 1);
    const sent: unknown[] = [];
    const target = countingEnv(env, emptyCalls(), sent);
    await sweepOutbox(target, new Date());
    const mine = (sent as { seq: number; prev?: number; event?: { resource: string } }[]).filter(
      (m) => m.event?.resource === t!.sub.resource,
    );
    expect(mine).toHaveLength(2);
    expect(mine.every((m) => m.prev === undefined)).toBe(true);
    await matchBatch(target, sent);
    await attempted([t!], 2);
    expect((await deliveries(t!.sub.id, t!.sub.headers)).map((d) => d.eventId).reverse()).toEqual(old.map((e) => e.id));
  });
});
