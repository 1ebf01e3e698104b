// Fairness across matcher batches (SPEC §7.4, issue 7 point 7): one org's burst of events delays
// another org's single event by at most one batch of the events queue. Publishing goes through the
// real Worker into a recording queue; the test plays the queue, handing the matcher 50 messages at a
// time (max_batch_size) in the order they were sent, top-ups included.
// The lanes belong to the D1 log's shared events queue: this file runs with `EVENT_LOG=d1` (a
// database not yet migrated). The partitioned log needs no lanes (docs/event-log.md, "Fairness");
// its per-tenant separation is tested in event-log-handover.test.ts.
import { createExecutionContext, createMessageBatch, env as testEnv, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { handleEventsBatch } from "../../src/delivery/matcher";
import type { Env } from "../../src/env";
import { type EventMessage, sweepOutbox } from "../../src/events/dispatch";
import { EVENTS_LANE_WINDOW } from "../../src/events/lanes";
import {
  confirmHandedOver,
  HELD_LANES_SQL,
  LEASE_SQL,
  OUTBOX_GRACE_MS,
  OUTBOX_HELD,
  SETTLE_SQL,
} from "../../src/events/outbox";
import worker from "../../src/index";
import { publishStatusEvents } from "../../src/notifications/status-events";
import { ev, storeOnly, validatedSubscription } from "../helpers/delivery";
import { countingEnv, emptyCalls } from "../helpers/global-calls";
import { putResource } from "../helpers/admin";
import { D1_LOG } from "../helpers/event-log";
import { BASE, callWithEnv } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";
import { expectIndexed, queryPlan } from "../helpers/query-plan";
import { recordingEnv } from "../helpers/recording-db";

/** The D1 log, pinned (see above). */
const env = { ...testEnv, EVENT_LOG: "d1" } as Env;

const QUEUE_BATCH = 50; // wrangler.toml: max_batch_size of varsel-events

interface Sub {
  id: number;
  resource: string;
  headers: Record<string, string>;
}

/** The queue's messages in the order sent, and each subscription's hand-overs (positions) in order. */
function playground() {
  const sent: unknown[] = [];
  const base = countingEnv(env, emptyCalls(), sent);
  const handed = new Map<string, number[]>();
  const target = {
    ...base,
    SUBSCRIPTION_DO: {
      idFromName: (name: string) => env.SUBSCRIPTION_DO.idFromName(name),
      get: (id: DurableObjectId) => {
        const real = env.SUBSCRIPTION_DO.get(id) as unknown as { enqueue: (items: unknown) => Promise<number> };
        return {
          enqueue: async (items: { seq: number }[]) => {
            const key = id.toString();
            handed.set(key, [...(handed.get(key) ?? []), ...items.map((i) => i.seq)]);
            return real.enqueue(items);
          },
        };
      },
    },
  } as unknown as Env;
  const handedTo = (sub: Sub) => handed.get(env.SUBSCRIPTION_DO.idFromName(`subscription:${sub.id}`).toString()) ?? [];
  /** Hands the next queue batch to the matcher; returns the positions it carried. */
  const nextBatch = async (): Promise<number[]> => {
    const bodies = sent.splice(0, QUEUE_BATCH) as { seq: number }[];
    const batch = createMessageBatch(
      "varsel-events",
      bodies.map((body, i) => ({ id: `m-${body.seq}-${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    await handleEventsBatch(batch, target);
    return bodies.map((b) => b.seq);
  };
  return { sent, target, handedTo, nextBatch };
}

async function publish(target: Env, sub: Sub, n: number): Promise<string> {
  const id = crypto.randomUUID();
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/events/api/v1/events`, {
      method: "POST",
      headers: { ...sub.headers, "content-type": "application/cloudevents+json" },
      body: JSON.stringify({
        id,
        type: "it.lane",
        source: `https://it.example/lane/${n}`,
        specversion: "1.0",
        resource: sub.resource,
      }),
    }),
    target,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  expect(res.status).toBe(200);
  return id;
}

/** Publishes a given event body; returns the status. */
async function publishBody(target: Env, sub: Sub, body: Record<string, unknown>): Promise<number> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/events/api/v1/events`, {
      method: "POST",
      headers: { ...sub.headers, "content-type": "application/cloudevents+json" },
      body: JSON.stringify(body),
    }),
    target,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res.status;
}

async function seqOf(id: string): Promise<number> {
  return (await env.DB.prepare("SELECT seq FROM events WHERE id = ?").bind(id).first<{ seq: number }>())!.seq;
}

describe("fairness across matcher batches", { timeout: 180_000 }, () => {
  it("one org's 500 events delay another org's single event by at most one batch; none lost, none reordered", async () => {
    const a = await validatedSubscription(0, { org: "lna" });
    const b = await validatedSubscription(0, { org: "lnb" });
    const q = playground();
    const ids: string[] = [];
    for (let n = 0; n < 500; n++) ids.push(await publish(q.target, a, n));
    const single = await seqOf(await publish(q.target, b, 0));

    const batches: number[][] = [];
    for (let n = 0; n < 3; n++) batches.push(await q.nextBatch());
    // B publishes again while A's backlog is being worked off.
    const later = await seqOf(await publish(q.target, b, 1));
    const laterFrom = batches.length;
    for (let guard = 0; q.sent.length && guard < 200; guard++) batches.push(await q.nextBatch());
    expect(q.sent).toEqual([]);

    // Each of B's events is in the first or second batch the matcher took after B published it.
    const at = batches.findIndex((batch) => batch.includes(single));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(2);
    const laterAt = batches.findIndex((batch) => batch.includes(later));
    expect(laterAt).toBeGreaterThanOrEqual(laterFrom);
    expect(laterAt).toBeLessThan(laterFrom + 2);
    expect(q.handedTo(b)).toEqual([single, later]);

    // A's 500: each handed over exactly once, in publish order (a lane never overtakes itself), and
    // never more than a window of them in one batch.
    const aSeqs = await Promise.all(ids.map(seqOf));
    const mine = new Set(aSeqs);
    for (const batch of batches)
      expect(batch.filter((seq) => mine.has(seq)).length).toBeLessThanOrEqual(EVENTS_LANE_WINDOW);
    expect(q.handedTo(a)).toEqual(aSeqs);
    // And all of them left the outbox.
    const left = await env.DB.prepare(
      "SELECT count(*) AS n FROM events WHERE seq IN (SELECT value FROM json_each(?)) AND outbox_due_at IS NOT NULL",
    )
      .bind(JSON.stringify([...aSeqs, single, later]))
      .first<{ n: number }>();
    expect(left!.n).toBe(0);
  });
});

describe("a grantee's burst on an org's resource", { timeout: 180_000 }, () => {
  it("holds back the grantee's own events only: the owning org's next event is in the next batch", async () => {
    // Org lno owns two resources and lets vendor lnv publish to the first. lnv bursts 200 events.
    const shared = `it-dlv-${crypto.randomUUID().slice(0, 8)}`;
    await putResource(shared, "lno", [{ subject: "/org/lnv", actions: ["publish"] }]);
    const owner = await validatedSubscription(0, { org: "lno" }); // lno's own second resource
    const watcher = await validatedSubscription(0, { org: "lno", resource: shared });
    const vendor = {
      ...watcher,
      headers: bearer(await altinnToken({ org: "lnv", scope: "altinn:events.publish" })),
    };
    const q = playground();
    const burst: string[] = [];
    for (let n = 0; n < 200; n++) burst.push(await publish(q.target, vendor, n));
    const own = await seqOf(await publish(q.target, owner, 0));
    const batches: number[][] = [];
    for (let guard = 0; q.sent.length && guard < 200; guard++) batches.push(await q.nextBatch());
    const at = batches.findIndex((batch) => batch.includes(own));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(2);
    expect(q.handedTo(owner)).toEqual([own]);
    expect(q.handedTo(watcher)).toEqual(await Promise.all(burst.map(seqOf)));
  });
});

/** Positions of the events `sent` that belong to `resource`. */
const sentOf = (sent: unknown[], resource: string) =>
  (sent as EventMessage[]).filter((m) => m.event?.resource === resource).map((m) => m.seq);

async function heldCount(resource: string): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM events WHERE resource = ? AND outbox_due_at = ?")
    .bind(resource, OUTBOX_HELD)
    .first<{ n: number }>())!.n;
}

describe("held events are never lost", { timeout: 120_000 }, () => {
  it("a held event is stored: readable at once, and publishing it again stores nothing twice", async () => {
    const a = await validatedSubscription(0, { org: "lnf" });
    const q = playground();
    for (let n = 0; n < EVENTS_LANE_WINDOW; n++) await publish(q.target, a, n);
    const held = {
      id: crypto.randomUUID(),
      type: "it.held",
      source: "https://it.example/held",
      specversion: "1.0",
      resource: a.resource,
    };
    expect(await publishBody(q.target, a, held)).toBe(200);
    expect(q.sent).toHaveLength(EVENTS_LANE_WINDOW); // not sent: the lane's window is full
    expect(await heldCount(a.resource)).toBe(1);
    const read = await callWithEnv(
      D1_LOG,
      `/events/api/v1/events?resource=${encodeURIComponent(a.resource)}&after=0&size=100`,
      {
        headers: a.headers,
      },
    );
    expect(read.status).toBe(200);
    expect((await read.json<{ id: string }[]>()).map((e) => e.id)).toContain(held.id);
    expect(await publishBody(q.target, a, held)).toBe(200);
    expect(await heldCount(a.resource)).toBe(1);
    expect(q.sent).toHaveLength(EVENTS_LANE_WINDOW);
  });

  it("a top-up lost after the matcher confirmed (the invocation died before sending it) goes out with the sweep", async () => {
    const a = await validatedSubscription(0, { org: "lnc" });
    const q = playground();
    for (let n = 0; n < EVENTS_LANE_WINDOW + 10; n++) await publish(q.target, a, n);
    expect(await heldCount(a.resource)).toBe(10);
    // The matcher hands the window over and confirms it; the top-up it leased in the same statement
    // never reaches the queue (the invocation dies right after).
    const window = q.sent.splice(0);
    expect(window).toHaveLength(EVENTS_LANE_WINDOW);
    const dying = { ...q.target, EVENTS_QUEUE: { sendBatch: async () => Promise.reject(new Error("killed")) } };
    await handleEventsBatch(
      createMessageBatch(
        "varsel-events",
        window.map((body, i) => ({ id: `d-${i}`, timestamp: new Date(), attempts: 1, body })),
      ),
      dying as unknown as Env,
    );
    expect(await heldCount(a.resource)).toBe(0);
    // The sweep sends the ten once their grace is over, oldest first.
    await sweepOutbox(q.target, new Date(Date.now() + OUTBOX_GRACE_MS + 1000));
    const lost = sentOf(q.sent, a.resource);
    expect(lost).toHaveLength(10);
    expect(lost).toEqual([...lost].sort((x, y) => x - y));
    while (q.sent.length) await q.nextBatch();
    expect(q.handedTo(a)).toHaveLength(EVENTS_LANE_WINDOW + 10);
  });

  it("a lane confirmed without a top-up (code before the lanes) is topped up by the sweep, one window at a time", async () => {
    const a = await validatedSubscription(0, { org: "lnd" });
    const q = playground();
    for (let n = 0; n < 3 * EVENTS_LANE_WINDOW; n++) await publish(q.target, a, n);
    const first = (q.sent.splice(0) as EventMessage[]).map((m) => m.seq);
    await confirmHandedOver(env, first, new Date());
    expect(await heldCount(a.resource)).toBe(2 * EVENTS_LANE_WINDOW);
    // Nothing of the lane is due by time; the sweep's lane pass sends one window, not the backlog.
    await sweepOutbox(q.target, new Date());
    const second = sentOf(q.sent, a.resource);
    expect(second).toHaveLength(EVENTS_LANE_WINDOW);
    expect(Math.min(...second)).toBeGreaterThan(Math.max(...first));
    await sweepOutbox(q.target, new Date());
    expect(sentOf(q.sent, a.resource)).toHaveLength(EVENTS_LANE_WINDOW); // the window is full: nothing more
    while (q.sent.length) await q.nextBatch();
    expect(await heldCount(a.resource)).toBe(0);
    expect(q.handedTo(a)).toHaveLength(2 * EVENTS_LANE_WINDOW);
  });
});

describe("a lane whose hand-overs keep failing", { timeout: 60_000 }, () => {
  it("is not stalled: the sweep's re-sends hold no place in the window, so the held events go out", async () => {
    const a = await validatedSubscription(0, { org: "lnh" });
    const q = playground();
    for (let n = 0; n < EVENTS_LANE_WINDOW + 5; n++) await publish(q.target, a, n);
    const window = q.sent.splice(0);
    // Every hand-over fails (the objects are unreachable): the queue retries, nothing is confirmed.
    const unreachable = {
      ...q.target,
      SUBSCRIPTION_DO: {
        idFromName: (name: string) => env.SUBSCRIPTION_DO.idFromName(name),
        get: () => ({ enqueue: async () => Promise.reject(new Error("object unavailable")) }),
      },
    } as unknown as Env;
    await handleEventsBatch(
      createMessageBatch(
        "varsel-events",
        window.map((body, i) => ({ id: `f-${i}`, timestamp: new Date(), attempts: 1, body })),
      ),
      unreachable,
    );
    expect(await heldCount(a.resource)).toBe(5);
    // A minute later the sweep re-sends the window (due) and, the re-sends holding no place, the five.
    await sweepOutbox(q.target, new Date(Date.now() + OUTBOX_GRACE_MS + 1000));
    expect(sentOf(q.sent, a.resource)).toHaveLength(EVENTS_LANE_WINDOW + 5);
    expect(await heldCount(a.resource)).toBe(0);
  });
});

describe("an order's status events", () => {
  it("go through the org's lane: a large order's events enter the queue a window at a time, and all of them go out", async () => {
    const org = "lns";
    const orderId = crypto.randomUUID();
    const now = new Date().toISOString();
    await env.DB.prepare(
      `INSERT INTO notification_orders (id, creator, created, requested_send_time, subject, body, content_type,
         from_address, recipients, recipient_count, status, last_update)
       VALUES (?1, ?2, ?3, ?3, 's', 'b', 'Plain', 'noreply@varsel.example', '[]', 60, 'Processing', ?3)`,
    )
      .bind(orderId, org, now)
      .run();
    const owed = env.DB.prepare(
      "INSERT INTO status_event_outbox (kind, row_id, order_id, status, last_update) VALUES ('email', ?1, ?2, 'Failed_RecipientNotIdentified', ?3)",
    );
    await env.DB.batch(Array.from({ length: 60 }, () => owed.bind(crypto.randomUUID(), orderId, now)));
    const q = playground();
    await publishStatusEvents(q.target);
    const resource = `urn:altinn:resource:notifications_${org}`;
    expect(sentOf(q.sent, resource)).toHaveLength(EVENTS_LANE_WINDOW);
    expect(await heldCount(resource)).toBe(60 - EVENTS_LANE_WINDOW);
    const seen: number[] = [];
    while (q.sent.length) {
      seen.push(...sentOf(q.sent, resource));
      await q.nextBatch();
    }
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
    const left = await env.DB.prepare(
      "SELECT count(*) AS n FROM events WHERE resource = ? AND outbox_due_at IS NOT NULL",
    )
      .bind(resource)
      .first<{ n: number }>();
    expect(left!.n).toBe(0);
  });
});

describe("the sweep's due events", () => {
  it("take turns by lane: a backlog of one resource's due events does not put another's behind all of it", async () => {
    const x = `urn:altinn:resource:it-backlog-${crypto.randomUUID().slice(0, 8)}`;
    const y = `urn:altinn:resource:it-single-${crypto.randomUUID().slice(0, 8)}`;
    // Due in the outbox without a lane (stored before migration 0016, or their messages lost).
    const xs: number[] = [];
    for (let n = 0; n < 200; n++) xs.push(await storeOnly(ev(x), Date.now() - 1));
    const ys = await storeOnly(ev(y), Date.now() - 1);
    const sent: unknown[] = [];
    await sweepOutbox(countingEnv(env, emptyCalls(), sent), new Date());
    const order = (sent as EventMessage[]).map((m) => m.seq).filter((seq) => seq === ys || xs.includes(seq));
    expect(order).toHaveLength(201);
    expect(order.indexOf(ys)).toBeLessThan(2);
    expect(order.filter((seq) => seq !== ys)).toEqual(xs); // each resource's own order kept
  });
});

describe("lane statements read through indexes", () => {
  it("the publish insert, the settlement with its top-up, the held-lane walk and the sweep's lease", async () => {
    const a = await validatedSubscription(0, { org: "lne" });
    const recorded = recordingEnv(env);
    await publish(countingEnv(recorded.env, emptyCalls(), []), a, 0);
    const insert = recorded.statements.find((s) => /^insert into "events"/i.test(s.sql))!;
    expect(insert.sql).toContain("lane");
    const plans = [
      await queryPlan(env.DB, insert.sql, ...insert.binds),
      await queryPlan(env.DB, SETTLE_SQL, "[1,2,3]", "t", 1, JSON.stringify(["lne", "x"]), EVENTS_LANE_WINDOW, 2),
      await queryPlan(env.DB, HELD_LANES_SQL, "", OUTBOX_HELD, 100),
      await queryPlan(env.DB, LEASE_SQL, 1, 2, 3),
    ];
    // `topup` and `held` are the statements' own recursive tables (at most a window per lane, at most
    // the page of lanes), read back by SQLite; every read of `events` is an index search.
    for (const plan of plans) expectIndexed(plan, ["topup", "held", "CONSTANT"]);
    expect(plans[0]!.join("\n")).toContain("events_lane_outbox");
    expect(plans[1]!.join("\n")).toContain("events_lane_outbox");
    expect(plans[2]!.join("\n")).toContain("events_lane_outbox");
  });
});
