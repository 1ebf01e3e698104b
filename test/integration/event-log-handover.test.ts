// The partitioned log's hand-over keeps the D1 path's guarantees (issue 10 point 3): each object
// gets a push snapshot, so a fresh first push reads nothing from D1; and one alarm run calls at most
// the cap of objects (SPEC §7.1: subrequests per invocation are bounded), carrying the rest over to
// the next run, each subscription handed the event once.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import type { CloudEvent } from "../../src/events/cloudevent";
import type { EventLog } from "../../src/events/log/event-log";
import { eventLogStub } from "../../src/events/log/stubs";
import { deliveries, ENDPOINT, ev, poll, validatedSubscription } from "../helpers/delivery";
import { callWithEnv } from "../helpers/http";

const CAP = 4; // three hand-overs a run: the segment move's call is budgeted too
const SUBSCRIPTIONS = 7;

describe("the partitioned log's hand-over", { timeout: 60_000 }, () => {
  it("calls at most the cap of objects per alarm run, carries the rest over, and hands each subscription the event once", async () => {
    const first = await validatedSubscription(0, { endPoint: `${ENDPOINT}?0` });
    const rid = first.resource.split(":").at(-1)!;
    const subs = [first];
    for (let i = 1; i < SUBSCRIPTIONS; i++)
      subs.push(await validatedSubscription(0, { resource: rid, endPoint: `${ENDPOINT}?${i}` }));
    // Object calls per alarm run of the resource's head (a run past the cap would fail as on the platform).
    const perRun: number[] = [];
    const handed: string[] = [];
    await runInDurableObject(eventLogStub(env, first.resource), (instance) => {
      const log = instance as unknown as EventLog & { env: Env; alarm: () => Promise<void> };
      log.maxCalls = CAP;
      const alarm = log.alarm.bind(log);
      log.alarm = async () => {
        perRun.push(0);
        await alarm();
      };
      const ns = log.env.SUBSCRIPTION_DO;
      log.env = {
        ...log.env,
        SUBSCRIPTION_DO: new Proxy(ns, {
          get(target, prop) {
            if (prop === "get")
              return (id: DurableObjectId) => {
                perRun[perRun.length - 1]!++;
                if (perRun.at(-1)! > CAP - 1) throw new Error("Too many subrequests.");
                handed.push(id.toString());
                return target.get(id);
              };
            const v = Reflect.get(target, prop) as unknown;
            return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        }),
      };
    });
    const e = ev(first.resource);
    const res = await callWithEnv({}, "/events/api/v1/events", {
      method: "POST",
      headers: { ...first.headers, "content-type": "application/cloudevents+json" },
      body: JSON.stringify(e),
    });
    expect(res.status).toBe(200);
    for (const s of subs)
      await poll(async () => (await deliveries(s.id, s.headers)).length === 1, `the event at subscription ${s.id}`);
    await poll(async () => (await eventLogStub(env, first.resource).outboxPositions()).length === 0, "outbox empty");
    expect(Math.max(...perRun)).toBeLessThanOrEqual(CAP - 1);
    expect(perRun.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3); // 7 hand-overs, 3 a run
    expect(new Set(handed).size).toBe(SUBSCRIPTIONS);
    expect(handed).toHaveLength(SUBSCRIPTIONS);
    for (const s of subs) expect((await deliveries(s.id, s.headers)).map((d) => d.eventId)).toEqual([e.id]);
  });

  it("one tenant's backlog does not hold up another's event: each resource's head hands over on its own", async () => {
    const busy = await validatedSubscription(0, { endPoint: `${ENDPOINT}?busy` });
    const quiet = await validatedSubscription(0, { org: "skd", endPoint: `${ENDPOINT}?quiet` });
    const busyHead = eventLogStub(env, busy.resource);
    // The busy tenant's hand-overs keep failing (its head cannot read D1): its outbox only grows.
    await runInDurableObject(busyHead, (instance) => {
      const o = instance as unknown as { env: Env };
      o.env = {
        ...o.env,
        DB: new Proxy(o.env.DB, {
          get: () => () => {
            throw new Error("D1 unavailable");
          },
        }),
      };
    });
    const backlog = Array.from({ length: 500 }, () => ev(busy.resource) as CloudEvent);
    expect(await busyHead.appendMany(backlog, Date.now())).toBe(500);
    const e = ev(quiet.resource);
    const res = await callWithEnv({}, "/events/api/v1/events", {
      method: "POST",
      headers: { ...quiet.headers, "content-type": "application/cloudevents+json" },
      body: JSON.stringify(e),
    });
    expect(res.status).toBe(200);
    const got = await poll(async () => {
      const list = await deliveries(quiet.id, quiet.headers);
      return list.length ? list : null;
    }, "the quiet tenant's event");
    expect(got.map((d) => d.eventId)).toEqual([e.id]);
    expect(await busyHead.outboxPositions()).toHaveLength(500);
    expect(await deliveries(busy.id, busy.headers)).toEqual([]);
  });
});
