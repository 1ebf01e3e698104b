// The subscription's Durable Object in workerd: the queue of pushes lives in its storage, so
// eviction loses nothing; queue redelivery does not double-push; pre-validation events are dropped;
// and the real pipeline publish -> Queue -> matcher -> Durable Object reaches it.
import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { deliveryStub } from "../../src/delivery/stub";
import { PushStore } from "../../src/delivery/store";
import { putResource } from "../helpers/admin";
import { eventLogStub } from "../../src/events/log/stubs";
import { D1_LOG } from "../helpers/event-log";
import { call, callWithEnv, postJson } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";
import { deliveries, ENDPOINT, ev, markValidated, poll, SUBS, validatedSubscription } from "../helpers/delivery";

describe("subscription Durable Object", { timeout: 20_000 }, () => {
  it("keeps its queue in storage: after the instance is torn down the failed push is still pending with its retry alarm", async () => {
    const { id, resource, headers } = await validatedSubscription(0);
    const stub = deliveryStub(env, id);
    const e = ev(resource);
    expect(await stub.enqueue([{ seq: 1_000_001, event: e }])).toBe(1);
    const [first] = await poll(async () => {
      const d = await deliveries(id, headers);
      return d[0]?.attempts.length ? d : null;
    }, "first attempt");
    expect(first).toMatchObject({ eventId: e.id, status: "pending", attempts: [{ statusCode: null }] });
    expect(first!.attempts[0]!.error).toBeTruthy();
    const retryAt = Date.parse(first!.nextAttemptAt!);

    await abortAllDurableObjects();
    const after = await deliveries(id, headers);
    expect(after).toEqual([first]);
    // A fresh stub: the old one belonged to the aborted instance.
    const alarm = await runInDurableObject(deliveryStub(env, id), (_i, state) => state.storage.getAlarm());
    expect(alarm).toBe(retryAt);
  });

  it("drops events from before validation and ignores a position it already has", async () => {
    const { id, resource, headers } = await validatedSubscription(500);
    const stub = deliveryStub(env, id);
    const e = ev(resource);
    expect(
      await stub.enqueue([
        { seq: 499, event: ev(resource) },
        { seq: 500, event: ev(resource) },
      ]),
    ).toBe(0);
    expect(await stub.enqueue([{ seq: 2_000_001, event: e }])).toBe(1);
    expect(await stub.enqueue([{ seq: 2_000_001, event: e }])).toBe(0);
    const d = await deliveries(id, headers);
    expect(d.map((x) => x.eventId)).toEqual([e.id]);
  });

  it("an unvalidated subscription pushes nothing: events are only held until the handshake decides", async () => {
    const rid = `it-dlv-${crypto.randomUUID().slice(0, 8)}`;
    await putResource(rid, "ttd");
    const headers = bearer(await altinnToken({ org: "ttd", scope: "altinn:events.subscribe" }));
    const { id } = (await (
      await postJson(SUBS, { endPoint: ENDPOINT, resourceFilter: `urn:altinn:resource:${rid}` }, headers)
    ).json()) as { id: number };
    expect(await deliveryStub(env, id).enqueue([{ seq: 3_000_001, event: ev(`urn:altinn:resource:${rid}`) }])).toBe(1);
    expect(await deliveries(id, headers)).toEqual([]);
    // Validation keeps failing against a closed port and is retried on the alarm; nothing was attempted.
    const state = await runInDurableObject(deliveryStub(env, id), (_i, s) => ({
      state: new PushStore(s.storage.sql).state(),
      attempts: s.storage.sql.exec("SELECT COUNT(*) AS n FROM attempts").one().n,
    }));
    expect(state).toMatchObject({ state: { subscriptionId: id, validated: false }, attempts: 0 });
  });

  it("fills in an older event the queue has not handed over yet, so first attempts keep publish order", async () => {
    const { id, resource, headers } = await validatedSubscription(0);
    const store = async (e: ReturnType<typeof ev>) =>
      (await env.DB.prepare(
        "INSERT INTO events (id, source, resource, type, time, cloudevent, stored_at, dispatched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?5) RETURNING seq",
      )
        .bind(e.id, e.source, e.resource, e.type, e.time, JSON.stringify(e))
        .first<{ seq: number }>())!.seq;
    const older = ev(resource);
    const newer = ev(resource);
    const olderSeq = await store(older);
    const newerSeq = await store(newer);
    // Only the newer one arrives (the older one's queue message is late).
    expect(await deliveryStub(env, id).enqueue([{ seq: newerSeq, event: newer }])).toBe(2);
    const d = await poll(async () => {
      const list = await deliveries(id, headers);
      return list.length === 2 && list.every((x) => x.attempts.length >= 1) ? list : null;
    }, "first attempts of both");
    // Newest first in the listing; the older one was attempted first.
    expect(d.map((x) => x.eventId)).toEqual([newer.id, older.id]);
    const firstAttempt = (x: (typeof d)[number]) => Date.parse((x.attempts[0] as unknown as { time: string }).time);
    expect(firstAttempt(d[1]!)).toBeLessThanOrEqual(firstAttempt(d[0]!));
    // The late message adds nothing.
    expect(await deliveryStub(env, id).enqueue([{ seq: olderSeq, event: older }])).toBe(0);
  });

  it("validation drops the held events published before it and keeps the ones that raced it", async () => {
    const ns = env.SUBSCRIPTION_DO;
    const left = await runInDurableObject(ns.get(ns.idFromName(`held-${crypto.randomUUID()}`)), (_i, state) => {
      const store = new PushStore(state.storage.sql);
      for (const seq of [10, 20, 30]) store.add(seq, `e${seq}`, "{}", 0);
      store.dropPendingThrough(20);
      return state.storage.sql
        .exec<{ seq: number }>("SELECT seq FROM pushes ORDER BY seq")
        .toArray()
        .map((r) => r.seq);
    });
    expect(left).toEqual([30]);
  });

  it("gives a redelivered dead letter the whole retry schedule again, its attempt log counting on", async () => {
    const ns = env.SUBSCRIPTION_DO;
    const push = await runInDurableObject(ns.get(ns.idFromName(`cycle-${crypto.randomUUID()}`)), (_i, state) => {
      const store = new PushStore(state.storage.sql);
      store.add(7, "e7", "{}", 0);
      const failed = { statusCode: 500, durationMs: 1, error: null, retryAfterSeconds: null, responseSnippet: null };
      for (let a = 1; a <= 12; a++) store.logAttempt(7, a, failed, new Date(a * 1000));
      store.deadLetter(7, "Gave up after 12 attempts", 13_000);
      store.requeueEvent("e7", 14_000);
      return store.nextDue(14_000);
    });
    expect(push).toMatchObject({ seq: 7, attempts: 12, cycleStart: 12 });
  });

  it("a published event travels publish -> Queue -> matcher -> the subscription's object", async () => {
    const { id, resource, headers } = await validatedSubscription(0);
    const e = ev(resource);
    const pub = await postJson("/events/api/v1/events", e, headers, "application/cloudevents+json");
    expect(pub.status).toBe(200);
    const d = await poll(async () => {
      const list = await deliveries(id, headers);
      return list.length ? list : null;
    }, "the event at the subscription's object");
    expect(d.map((x) => x.eventId)).toEqual([e.id]);
  });

  it.each([
    ["the log's hand-over (the partitioned log)", {}],
    ["the matcher (the D1 log, EVENT_LOG=d1)", D1_LOG],
  ])("%s: the cached candidates notice a subscription created after the resource was cached", async (_n, log) => {
    const publishIt = (e: object, headers: Record<string, string>) =>
      callWithEnv(log, "/events/api/v1/events", {
        method: "POST",
        headers: { ...headers, "content-type": "application/cloudevents+json" },
        body: JSON.stringify(e),
      });
    const first = await validatedSubscription(0);
    const e1 = ev(first.resource);
    expect((await publishIt(e1, first.headers)).status).toBe(200);
    await poll(
      async () => (await deliveries(first.id, first.headers)).length === 1,
      "the first event at the first subscription",
    );
    // A second subscription to the same, now cached, resource.
    const res = await postJson(SUBS, { endPoint: `${ENDPOINT}?second`, resourceFilter: first.resource }, first.headers);
    const { id: second } = (await res.json()) as { id: number };
    // Validated now: everything stored so far was published before it (as the real handshake records).
    const newest =
      log === D1_LOG
        ? (await env.DB.prepare("SELECT MAX(seq) AS seq FROM events").first<{ seq: number }>())!.seq
        : await eventLogStub(env, first.resource).latest();
    await markValidated(second, newest);
    const e2 = ev(first.resource);
    expect((await publishIt(e2, first.headers)).status).toBe(200);
    const d = await poll(async () => {
      const list = await deliveries(second, first.headers);
      return list.length ? list : null;
    }, "the second event at the second subscription");
    expect(d.map((x) => x.eventId)).toEqual([e2.id]);
  });

  it("after DELETE the object forgets everything and its alarm", async () => {
    const { id, resource, headers } = await validatedSubscription(0);
    const stub = deliveryStub(env, id);
    await stub.enqueue([{ seq: 4_000_001, event: ev(resource) }]);
    expect((await call(`${SUBS}/${id}`, { method: "DELETE", headers })).status).toBe(200);
    const left = await runInDurableObject(stub, async (_i, s) => ({
      state: new PushStore(s.storage.sql).state(),
      alarm: await s.storage.getAlarm(),
    }));
    expect(left).toEqual({ state: null, alarm: null });
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    expect(await stub.enqueue([{ seq: 4_000_002, event: ev(resource) }])).toBe(0);
  });

  it("forgets delivered and dead-lettered pushes with their attempts once past retention, counted from their final state", async () => {
    const ns = env.SUBSCRIPTION_DO as unknown as DurableObjectNamespace;
    const lists = await runInDurableObject(ns.get(ns.idFromName(`prune-${crypto.randomUUID()}`)), (_i, state) => {
      const store = new PushStore(state.storage.sql);
      const r = { statusCode: 500, durationMs: 1, error: null, retryAfterSeconds: null, responseSnippet: "no" };
      store.add(1, "old-delivered", "{}", 1_000);
      store.add(2, "old-failed", "{}", 1_000);
      store.add(3, "new-delivered", "{}", 1_000);
      store.add(4, "pending", "{}", 1_000);
      for (const seq of [1, 2, 3, 4])
        store.logAttempt(seq, 1, { ...r, statusCode: seq === 1 || seq === 3 ? 200 : 500 }, new Date());
      store.delivered(1, 1_500);
      store.deadLetter(2, "HTTP 500", 1_500);
      store.delivered(3, 5_000);
      const pruned = store.pruneFinished(2_000, 500);
      const left = store.list({ beforeSeq: 100, size: 10 }).map((d) => [d.eventId, d.status, d.attempts.length]);
      const orphans = state.storage.sql.exec("SELECT COUNT(*) AS n FROM attempts WHERE seq IN (1, 2)").one().n;
      return { pruned, left, orphans };
    });
    expect(lists).toEqual({
      pruned: 2,
      left: [
        ["pending", "pending", 1],
        ["new-delivered", "delivered", 1],
      ],
      orphans: 0,
    });
  });
});
