// The partitioned event log (docs/event-log.md, issue 10 point 3), with EVENT_LOG = "objects":
// several partitions, read-your-writes, idempotency on (source, id) across resources, the outbox
// kept in the same transaction as the append and handed over by the log's alarm.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { decodeAfter } from "../../src/events/cursor";
import type { EventLog } from "../../src/events/log/event-log";
import { isLogPosition } from "../../src/events/log/position";
import {
  eventLogStub,
  guardBucket,
  GUARD_BUCKETS,
  logStub,
  partyLogName,
  resourceLogName,
} from "../../src/events/log/stubs";
import { eventHeadersBetween, eventsAt } from "../../src/delivery/gaps";
import { appendOwnEvents } from "../../src/events/log-store";
import { readLog } from "../../src/events/log/resource-log";
import { MAX_ANSWER_BYTES } from "../../src/events/log/rows";
import { countingNamespace, emptyCalls } from "../helpers/global-calls";
import { putResource } from "../helpers/admin";
import { deliveries, ENDPOINT, ev, poll, validatedSubscription } from "../helpers/delivery";
import { callWithEnv } from "../helpers/http";
import { altinnToken, bearer, platformToken } from "../helpers/tokens";

const OBJECTS = { EVENT_LOG: "objects" };
type Headers = Record<string, string>;

function publishTo(event: object, headers: Headers): Promise<Response> {
  return callWithEnv(OBJECTS, "/events/api/v1/events", {
    method: "POST",
    headers: { ...headers, "content-type": "application/cloudevents+json" },
    body: JSON.stringify(event),
  });
}

async function read(path: string, headers: Headers): Promise<{ ids: string[]; next: string | null }> {
  const res = await callWithEnv(OBJECTS, path, { headers });
  expect(res.status).toBe(200);
  const page = await res.json<{ id: string }[]>();
  return { ids: page.map((e) => e.id), next: res.headers.get("next") };
}

/** Follows `next` links from `first` until an empty page. */
async function readAll(first: string, headers: Headers): Promise<string[]> {
  const ids: string[] = [];
  let path: string | null = first;
  while (path) {
    const page = await read(path, headers);
    ids.push(...page.ids);
    path = page.ids.length && page.next ? new URL(page.next).pathname + new URL(page.next).search : null;
  }
  return ids;
}

/** The rows a resource's log object holds, by id. */
async function idsInLog(resource: string): Promise<string[]> {
  return runInDurableObject(eventLogStub(env, resource), (_o, state) =>
    state.storage.sql
      .exec<{ id: string }>("SELECT id FROM events ORDER BY pos")
      .toArray()
      .map((r) => r.id),
  );
}

/** One step of the head's move to segments, run to its end (the alarm may also run it in the background). */
async function moveStep(head: DurableObjectStub<EventLog>, resource: string): Promise<void> {
  await runInDurableObject(head, (instance) =>
    (instance as unknown as { moveToSegment(name: string, now: number): Promise<boolean> }).moveToSegment(
      resourceLogName(resource),
      Date.now(),
    ),
  );
}

async function publisher(): Promise<Headers> {
  return bearer(await altinnToken({ org: "ttd", scope: "altinn:events.publish altinn:events.subscribe" }));
}

async function freshResource(): Promise<string> {
  const rid = `it-log-${crypto.randomUUID().slice(0, 8)}`;
  await putResource(rid, "ttd");
  return `urn:altinn:resource:${rid}`;
}

describe("the partitioned event log (EVENT_LOG=objects)", { timeout: 60_000 }, () => {
  it("keeps each resource's events in its own partition, none in D1, and reads them back in publish order", async () => {
    const headers = await publisher();
    const urns = [await freshResource(), await freshResource(), await freshResource()];
    const published = new Map<string, string[]>(urns.map((u) => [u, []]));
    for (let i = 0; i < 9; i++) {
      const urn = urns[i % 3]!;
      const e = ev(urn);
      expect((await publishTo(e, headers)).status).toBe(200);
      published.get(urn)!.push(e.id);
    }
    for (const urn of urns) {
      expect(await idsInLog(urn)).toEqual(published.get(urn));
      const inD1 = await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE resource = ?").bind(urn).first<{
        n: number;
      }>();
      expect(inD1!.n).toBe(0);
      expect(
        await readAll(`/events/api/v1/events?resource=${encodeURIComponent(urn)}&after=0&size=2`, headers),
      ).toEqual(published.get(urn));
    }
    // Cursors name the new log's positions (above every D1 `seq`), still in the vc1 form.
    const first = await read(`/events/api/v1/events?resource=${encodeURIComponent(urns[0]!)}&after=0&size=1`, headers);
    const after = decodeAfter(new URL(first.next!).searchParams.get("after")!);
    expect(after.kind === "seq" && isLogPosition(after.seq)).toBe(true);
    // An event id as `after` is found in the resource's partition.
    const ids = published.get(urns[1]!)!;
    expect(
      (await read(`/events/api/v1/events?resource=${encodeURIComponent(urns[1]!)}&after=${ids[0]}`, headers)).ids,
    ).toEqual(ids.slice(1));
  });

  it("reads its own writes: each publish is on the next page as soon as it is answered", async () => {
    const headers = await publisher();
    const urn = await freshResource();
    let cursor = "0";
    for (let i = 0; i < 5; i++) {
      const e = ev(urn);
      expect((await publishTo(e, headers)).status).toBe(200);
      const page = await read(`/events/api/v1/events?resource=${encodeURIComponent(urn)}&after=${cursor}`, headers);
      expect(page.ids).toEqual([e.id]);
      cursor = new URL(page.next!).searchParams.get("after")!;
    }
  });

  it("is idempotent on (source, id) across resources: the first resource keeps it, a repeat anywhere stores nothing", async () => {
    const headers = await publisher();
    const [a, b] = [await freshResource(), await freshResource()];
    const e = ev(a);
    expect((await publishTo(e, headers)).status).toBe(200);
    expect((await publishTo({ ...e, type: "changed" }, headers)).status).toBe(200);
    expect((await publishTo({ ...e, resource: b }, headers)).status).toBe(200);
    expect(await idsInLog(a)).toEqual([e.id]);
    expect(await idsInLog(b)).toEqual([]);
    const stored = await read(`/events/api/v1/events?resource=${encodeURIComponent(a)}&after=0`, headers);
    expect(stored.ids).toEqual([e.id]);
    // Another source with the same id is another event.
    const other = { ...e, resource: b, source: "https://it.example/other" };
    expect((await publishTo(other, headers)).status).toBe(200);
    expect(await idsInLog(b)).toEqual([e.id]);
    // The guard object is chosen by hash, within a fixed number of objects.
    expect(guardBucket(e.source, e.id)).toBeLessThan(GUARD_BUCKETS);
  });

  it("serves /app/party from the party's log across apps, paged, with its own writes, also once rows moved to segments", async () => {
    const party = String(51_100_000 + Math.floor(Math.random() * 100_000));
    const partyHead = logStub(env, partyLogName(party));
    await runInDurableObject(partyHead, (instance) => {
      const o = instance as unknown as { env: Env };
      o.env = { ...o.env, EVENT_LOG_ARCHIVE_AFTER: "0s", EVENT_LOG_SEGMENT_BYTES: "600" };
    });
    const org = bearer(await altinnToken({ org: "ttd" }));
    const user = bearer(await altinnToken({ user: "42", party }));
    const mine: string[] = [];
    for (let i = 0; i < 6; i++) {
      const app = `log-app-${i % 3}`;
      const res = await callWithEnv(OBJECTS, "/events/api/v1/app", {
        method: "POST",
        headers: { ...org, "content-type": "application/json", platformaccesstoken: await platformToken("ttd", app) },
        body: JSON.stringify({
          type: "app.instance.created",
          source: `https://ttd.apps.example/ttd/${app}/instances/${party}/${crypto.randomUUID()}`,
          subject: `/party/${party}`,
          specversion: "1.0",
        }),
      });
      expect(res.status).toBe(201);
      mine.push(await res.json<string>());
      const seen = await readAll(`/events/api/v1/app/party?after=0&party=${party}&size=4`, user);
      expect(seen).toEqual(mine);
    }
    // The party's head moves its rows to segments like a resource's; reads are the same.
    await poll(
      () =>
        runInDurableObject(
          partyHead,
          (_o, state) => state.storage.sql.exec("SELECT 1 FROM events").toArray().length === 0,
        ),
      "the party's rows moved to segments",
    );
    expect((await partyHead.segments()).length).toBeGreaterThan(0);
    expect(await readAll(`/events/api/v1/app/party?after=0&party=${party}&size=4`, user)).toEqual(mine);
    expect(await readAll(`/events/api/v1/app/party?after=${mine[1]}&party=${party}&size=2`, user)).toEqual(
      mine.slice(2),
    );
  });

  it("never lets a subject name another party's segment: only digits make a party log", async () => {
    const victim = String(52_100_000 + Math.floor(Math.random() * 100_000));
    const evil = bearer(await altinnToken({ org: "evil", scope: "altinn:events.publish" }));
    const res = await publishTo(
      {
        id: crypto.randomUUID(),
        type: "it.crafted",
        source: "https://evil.example/x",
        specversion: "1.0",
        resource: "urn:altinn:resource:app_evil_x",
        subject: `/party/${victim}:seg:1`,
      },
      evil,
    );
    expect(res.status).toBe(200);
    const touched = await runInDurableObject(logStub(env, `${partyLogName(victim)}:seg:1`), (_o, state) =>
      state.storage.sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'events'")
        .one().n === 0
        ? 0
        : state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM events").one().n,
    );
    expect(touched).toBe(0);
  });

  it("keeps an event in the log's outbox while its hand-over fails, and pushes it once the hand-over works", async () => {
    const sub = await validatedSubscription(0, { endPoint: ENDPOINT });
    const stub = eventLogStub(env, sub.resource);
    // The log object's D1 fails: it cannot load the subscriptions to hand the event to.
    await runInDurableObject(stub, (instance) => {
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
    const e = ev(sub.resource);
    expect((await publishTo(e, sub.headers)).status).toBe(200);
    // Stored and in the outbox in the same step; the failed alarm leaves it there.
    const pos = (await runInDurableObject(stub, (instance: EventLog) => instance.outboxPositions()))[0];
    expect(pos).toBeDefined();
    await runDurableObjectAlarm(stub);
    expect(await runInDurableObject(stub, (instance: EventLog) => instance.outboxPositions())).toEqual([pos]);
    expect(await deliveries(sub.id, sub.headers)).toEqual([]);
    // D1 is back and the retry is due (the clock moved on): the next alarm hands it over and it leaves the outbox.
    await runInDurableObject(stub, (instance, state) => {
      (instance as unknown as { env: Env }).env = env;
      state.storage.sql.exec("UPDATE outbox SET due_at = 0");
    });
    await runDurableObjectAlarm(stub);
    expect(await runInDurableObject(stub, (instance: EventLog) => instance.outboxPositions())).toEqual([]);
    const list = await poll(async () => {
      const l = await deliveries(sub.id, sub.headers);
      return l.length && l[0]!.attempts.length ? l : null;
    }, "the push of the handed-over event");
    expect(list.map((d) => d.eventId)).toEqual([e.id]);
  });

  it("moves older rows from the resource's head into segments and still reads, finds and hands out every event", async () => {
    const headers = await publisher();
    const urn = await freshResource();
    const head = eventLogStub(env, urn);
    // Rows move out as soon as they are handed over, into segments of a few hundred bytes.
    await runInDurableObject(head, (instance) => {
      const o = instance as unknown as { env: Env };
      o.env = { ...o.env, EVENT_LOG_ARCHIVE_AFTER: "0s", EVENT_LOG_SEGMENT_BYTES: "600" };
    });
    const published: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) {
        const e = ev(urn);
        expect((await publishTo(e, headers)).status).toBe(200);
        published.push(e.id);
      }
      await poll(async () => (await idsInLog(urn)).length === 0, "the head's rows moved to segments");
    }
    // The first segment was full after the first round: the second round went to a new one.
    const segments = await head.segments();
    expect(segments.length).toBeGreaterThanOrEqual(2);
    // A repeat of an event that has moved on to a segment is still a duplicate.
    const firstEvent = { ...ev(urn, published[0]), source: "https://it.example/x" };
    expect((await publishTo(firstEvent, headers)).status).toBe(200);
    expect(await idsInLog(urn)).toEqual([]);
    const last = ev(urn);
    expect((await publishTo(last, headers)).status).toBe(200);
    published.push(last.id);

    const q = `/events/api/v1/events?resource=${encodeURIComponent(urn)}`;
    expect(await readAll(`${q}&after=0&size=3`, headers)).toEqual(published);
    expect(await readAll(`${q}&after=0&size=1000`, headers)).toEqual(published);
    expect(await readAll(`${q}&after=${published[2]}&size=2`, headers)).toEqual(published.slice(3));
    // A subscription object's gap fill and body reads find rows in segments too.
    const first = await read(`${q}&after=0&size=1`, headers);
    const firstPos = (decodeAfter(new URL(first.next!).searchParams.get("after")!) as { seq: number }).seq;
    const all = await read(`${q}&after=0&size=1000`, headers);
    const lastPos = (decodeAfter(new URL(all.next!).searchParams.get("after")!) as { seq: number }).seq;
    const between = await eventHeadersBetween(env, urn, 0, lastPos, 500);
    expect(between.map((h) => h.header.id)).toEqual(published.slice(0, -1));
    const bodies = await eventsAt(env, urn, [firstPos, lastPos]);
    expect(bodies.map((b) => b.event.id)).toEqual([published[0], last.id]);
    // The head's new row names the last moved one as its predecessor.
    expect(bodies[1]!.prev).toBe(between.at(-1)!.seq);
  });

  it("moves only a prefix of positions to a segment when appends arrive with their storage times out of order", async () => {
    const urn = await freshResource();
    const head = eventLogStub(env, urn);
    // Two concurrent publishes: the one with the later clock (T1) appends first, so the event stored
    // at the earlier time (T0) gets the higher position. Only T0 is past the 10 minutes a row stays.
    const now = Date.now();
    const [first, second] = [ev(urn), ev(urn)];
    const p1 = (await head.append(first, now - 5 * 60_000)).pos;
    const p2 = (await head.append(second, now - 20 * 60_000)).pos;
    expect(p2).toBeGreaterThan(p1);
    await moveStep(head, urn);
    const readPaged = async () => {
      const ids: string[] = [];
      let after = 0;
      for (let i = 0; i < 5; i++) {
        const page = await readLog(env, resourceLogName(urn), { afterPos: after, size: 1 });
        if (!page.length) break;
        ids.push(...page.map((r) => (JSON.parse(r.cloudevent) as { id: string }).id));
        after = page.at(-1)!.seq;
      }
      return ids;
    };
    // Read one at a time: both, once, in position order (p2 alone in a segment would hide p1).
    expect(await readPaged()).toEqual([first.id, second.id]);
    // Later both move, in separate steps, into the same segment: its range covers both.
    await runInDurableObject(head, (instance) => {
      const o = instance as unknown as { env: Env };
      o.env = { ...o.env, EVENT_LOG_ARCHIVE_AFTER: "0s" };
    });
    for (let i = 0; i < 3 && (await idsInLog(urn)).length; i++) await moveStep(head, urn);
    expect(await idsInLog(urn)).toEqual([]);
    const segments = await head.segments();
    expect(segments).toHaveLength(1);
    expect(segments[0]!.first).toBeLessThanOrEqual(p1);
    expect(segments[0]!.last).toBeGreaterThanOrEqual(p2);
    expect(await readPaged()).toEqual([first.id, second.id]);
    expect((await eventsAt(env, urn, [p1, p2])).map((b) => b.event.id)).toEqual([first.id, second.id]);
  });

  it("does not move a row stored earlier than a row before it (rows stored before storage times were kept rising)", async () => {
    const urn = await freshResource();
    const head = eventLogStub(env, urn);
    const [first, second] = [ev(urn), ev(urn)];
    const p1 = (await head.append(first, Date.now() - 5 * 60_000)).pos;
    const p2 = (await head.append(second, Date.now() - 5 * 60_000)).pos;
    // A head written before storage times were kept rising with position: p2 stored 20 minutes ago.
    await runInDurableObject(head, (_o, state) => {
      state.storage.sql.exec("UPDATE events SET stored_at = ? WHERE pos = ?", Date.now() - 20 * 60_000, p2);
    });
    await moveStep(head, urn);
    expect(await head.segments()).toEqual([]);
    const page1 = await readLog(env, resourceLogName(urn), { afterPos: 0, size: 1 });
    const page2 = await readLog(env, resourceLogName(urn), { afterPos: page1.at(-1)!.seq, size: 1 });
    expect([...page1, ...page2].map((r) => r.seq)).toEqual([p1, p2]);
  });

  it("keeps a segment's range when an older position is moved into it after a newer one", async () => {
    const urn = await freshResource();
    const head = eventLogStub(env, urn);
    // A backfilled D1 row (old seq, old time) lands in the head after newer rows already moved on.
    const [newer, older] = [ev(urn), ev(urn)];
    const p = (await head.append(newer, Date.now() - 20 * 60_000)).pos;
    await moveStep(head, urn);
    expect(await idsInLog(urn)).toEqual([]);
    await head.importRows([{ seq: 7, event: older, storedAt: Date.now() - 30 * 60_000, outbox: false }], {
      name: resourceLogName(urn),
      resource: urn,
    });
    await moveStep(head, urn);
    expect(await idsInLog(urn)).toEqual([]);
    const segments = await head.segments();
    expect(segments).toHaveLength(1);
    expect(segments[0]).toMatchObject({ first: 7, last: p });
    expect((await eventsAt(env, urn, [p])).map((b) => b.event.id)).toEqual([newer.id]);
  });

  it("stores order status events in the log too: readable at once, nothing in the D1 table", async () => {
    const ttd = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
    const order = await callWithEnv(OBJECTS, "/notifications/api/v1/orders/email", {
      method: "POST",
      headers: { ...ttd, "content-type": "application/json" },
      body: JSON.stringify({
        subject: "s",
        body: "b",
        requestedSendTime: new Date(Date.now() + 3 * 3600_000).toISOString(),
        recipients: [{ emailAddress: "status@example.com" }],
      }),
    });
    expect(order.status).toBe(202);
    const { orderId } = await order.json<{ orderId: string }>();
    const cancel = await callWithEnv(OBJECTS, `/notifications/api/v1/orders/${orderId}/cancel`, {
      method: "PUT",
      headers: ttd,
    });
    expect(cancel.status).toBe(200);
    const resource = "urn:altinn:resource:notifications_ttd";
    const reader = bearer(await altinnToken({ org: "ttd", scope: "altinn:events.subscribe" }));
    const res = await callWithEnv(OBJECTS, `/events/api/v1/events?resource=${resource}&after=0&size=1000`, {
      headers: reader,
    });
    const mine = (await res.json<{ type: string; subject: string }[]>()).filter(
      (e) => e.subject === `/shipment/${orderId}`,
    );
    expect(mine.map((e) => e.type)).toEqual(["no.varsel.notifications.shipment.cancelled"]);
    const inD1 = await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE subject = ?")
      .bind(`/shipment/${orderId}`)
      .first<{ n: number }>();
    expect(inD1!.n).toBe(0);
  });

  it("cuts a page of large events at what one answer carries, and the next link reads on with nothing lost", async () => {
    const headers = await publisher();
    const urn = await freshResource();
    const published: string[] = [];
    // 135 events of ~62 KB: about 8.4 MB, more than one answer of a log object carries (8 MB).
    const data = "x".repeat(62_000);
    for (let i = 0; i < 135; i++) {
      const e = { ...ev(urn), data };
      expect((await publishTo(e, headers)).status).toBe(200);
      published.push(e.id);
    }
    const q = `/events/api/v1/events?resource=${encodeURIComponent(urn)}`;
    const first = await read(`${q}&after=0&size=1000`, headers);
    expect(first.ids.length).toBeGreaterThan(0);
    expect(first.ids.length).toBeLessThan(135);
    expect(await readAll(`${q}&after=0&size=1000`, headers)).toEqual(published);
  });

  it("reads on after a segment's answer was cut at the byte limit: every event once, in order, also in gap fill", async () => {
    const headers = await publisher();
    const urn = await freshResource();
    // 200 events of ~62 KB (~12.4 MB) move to one segment: its answer is cut at 8 MB.
    const data = "x".repeat(62_000);
    const own = () => ({ ...ev(urn), source: `urn:varsel:notifications:shipment:${crypto.randomUUID()}`, data });
    const moved = Array.from({ length: 200 }, own);
    expect(await appendOwnEvents(env, moved, Date.now())).toBe(200);
    const head = eventLogStub(env, urn);
    await runInDurableObject(head, (instance) => {
      const o = instance as unknown as { env: Env };
      o.env = { ...o.env, EVENT_LOG_ARCHIVE_AFTER: "0s" };
    });
    for (let i = 0; i < 10 && (await idsInLog(urn)).length; i++) await runDurableObjectAlarm(head);
    expect(await idsInLog(urn)).toEqual([]);
    expect((await head.segments()).length).toBe(1);
    // One newer event stays in the head.
    const newest = own();
    expect(await appendOwnEvents(env, [newest], Date.now())).toBe(1);
    const published = [...moved, newest].map((e) => e.id);

    const q = `/events/api/v1/events?resource=${encodeURIComponent(urn)}`;
    const first = await read(`${q}&after=0&size=1000`, headers);
    expect(first.ids.length).toBeLessThan(200);
    expect(first.ids).toEqual(published.slice(0, first.ids.length));
    expect(await readAll(`${q}&after=0&size=1000`, headers)).toEqual(published);
    // Gap fill (500 at most) between the start and the head's event finds every moved event.
    const between = await eventHeadersBetween(env, urn, 0, await head.latest(), 500);
    expect(between.map((h) => h.header.id)).toEqual(published.slice(0, -1));
  });

  it("keeps a page of a segment's and the head's events within one answer's UTF-8 bytes in all", async () => {
    const headers = await publisher();
    const urn = await freshResource();
    const own = (data: string) => ({
      ...ev(urn),
      source: `urn:varsel:notifications:shipment:${crypto.randomUUID()}`,
      data,
    });
    // ~6.2 MB in a segment, then ~6.2 MB of UTF-8 (half as many UTF-16 characters) in the head.
    const moved = Array.from({ length: 100 }, () => own("x".repeat(62_000)));
    expect(await appendOwnEvents(env, moved, Date.now())).toBe(100);
    const head = eventLogStub(env, urn);
    await runInDurableObject(head, (instance) => {
      const o = instance as unknown as { env: Env };
      o.env = { ...o.env, EVENT_LOG_ARCHIVE_AFTER: "0s" };
    });
    for (let i = 0; i < 10 && (await idsInLog(urn)).length; i++) await runDurableObjectAlarm(head);
    expect(await idsInLog(urn)).toEqual([]);
    await runInDurableObject(head, (instance) => {
      const o = instance as unknown as { env: Env };
      o.env = { ...o.env, EVENT_LOG_ARCHIVE_AFTER: "1h" };
    });
    const kept = Array.from({ length: 100 }, () => own("ø".repeat(31_000)));
    expect(await appendOwnEvents(env, kept, Date.now())).toBe(100);
    const published = [...moved, ...kept].map((e) => e.id);

    const page = await readLog(env, resourceLogName(urn), { afterPos: 0, size: 1000 });
    const bytes = page.reduce((n, r) => n + new TextEncoder().encode(r.cloudevent).byteLength, 0);
    expect(page.length).toBeGreaterThan(100);
    expect(bytes).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
    const q = `/events/api/v1/events?resource=${encodeURIComponent(urn)}`;
    expect(await readAll(`${q}&after=0&size=1000`, headers)).toEqual(published);
  });

  it("copies an app event to its party's log from the outbox when the publish was cut off after the append", async () => {
    const party = String(53_100_000 + Math.floor(Math.random() * 100_000));
    const resource = "urn:altinn:resource:app_ttd_cutoff";
    const event = {
      ...ev(resource),
      source: `https://ttd.apps.example/ttd/cutoff/instances/${party}/${crypto.randomUUID()}`,
      subject: `/party/${party}`,
    };
    // Only the append happened (as if the Worker died before the party's copy).
    await eventLogStub(env, resource).append(event, Date.now());
    const user = bearer(await altinnToken({ user: "42", party }));
    const ids = await poll(async () => {
      const page = await read(`/events/api/v1/app/party?after=0&party=${party}`, user);
      return page.ids.length ? page.ids : null;
    }, "the party's copy written by the outbox");
    expect(ids).toEqual([event.id]);
  });

  it("moves rows on to segments during a long hand-over outage and still pushes them, in order, once it ends", async () => {
    const sub = await validatedSubscription(0, { endPoint: ENDPOINT });
    const head = eventLogStub(env, sub.resource);
    await runInDurableObject(head, (instance) => {
      const o = instance as unknown as { env: Env };
      o.env = {
        ...o.env,
        EVENT_LOG_ARCHIVE_AFTER: "0s",
        DB: new Proxy(o.env.DB, {
          get: () => () => {
            throw new Error("D1 unavailable");
          },
        }),
      };
    });
    const events = [ev(sub.resource), ev(sub.resource), ev(sub.resource)];
    for (const e of events) expect((await publishTo(e, sub.headers)).status).toBe(200);
    // The head keeps only the outbox entries; the rows went to a segment.
    await poll(async () => (await idsInLog(sub.resource)).length === 0, "the rows moved while undelivered");
    expect(await head.outboxPositions()).toHaveLength(3);
    expect(await deliveries(sub.id, sub.headers)).toEqual([]);
    await runInDurableObject(head, (instance, state) => {
      (instance as unknown as { env: Env }).env = { ...env, EVENT_LOG_ARCHIVE_AFTER: "0s" };
      state.storage.sql.exec("UPDATE outbox SET due_at = 0");
    });
    await runDurableObjectAlarm(head);
    expect(await head.outboxPositions()).toEqual([]);
    const list = await poll(async () => {
      const l = await deliveries(sub.id, sub.headers);
      return l.length === 3 && l.every((d) => d.attempts.length) ? l : null;
    }, "the pushes after the outage");
    expect(list.map((d) => d.eventId).reverse()).toEqual(events.map((e) => e.id));
  });

  it("appends Varsel's status events in runs without guard claims: in order, each once, also after rows moved to segments", async () => {
    const [a, b] = [await freshResource(), await freshResource()];
    const own = (resource: string) => ({
      ...ev(resource),
      source: `urn:varsel:notifications:shipment:${crypto.randomUUID()}`,
    });
    const burst = [...Array.from({ length: 1000 }, () => own(a)), ...Array.from({ length: 1000 }, () => own(b))];
    const calls = emptyCalls();
    const counted = {
      ...env,
      EVENT_LOG_DO: countingNamespace(env.EVENT_LOG_DO, calls),
      ID_GUARD_DO: countingNamespace(env.ID_GUARD_DO, calls),
    };
    expect(await appendOwnEvents(counted, burst, Date.now())).toBe(2000);
    // 2,000 events: one call per resource's run, none to a guard (a guard call each made the burst time out).
    expect([...calls.objects.keys()].sort()).toEqual([`log:${a}`, `log:${b}`].sort());
    expect(await idsInLog(a)).toEqual(burst.slice(0, 1000).map((e) => e.id));
    // A repeat (a tick cut off before the owed rows were deleted) stores nothing, also once the rows moved on.
    expect(await appendOwnEvents(env, burst.slice(0, 3), Date.now())).toBe(0);
    const head = eventLogStub(env, a);
    await runInDurableObject(head, (instance) => {
      const o = instance as unknown as { env: Env };
      o.env = { ...o.env, EVENT_LOG_ARCHIVE_AFTER: "0s" };
    });
    for (let i = 0; i < 5 && (await idsInLog(a)).length; i++) await runDurableObjectAlarm(head);
    expect(await idsInLog(a)).toEqual([]);
    const later = own(a);
    expect(await appendOwnEvents(env, [burst[0]!, burst[999]!, later], Date.now())).toBe(1);
    const read = await readLog(env, resourceLogName(a), { afterPos: 0, size: 1000 });
    expect(read.map((r) => (JSON.parse(r.cloudevent) as { id: string }).id)).toEqual(
      burst.slice(0, 1000).map((e) => e.id),
    );
    const rest = await readLog(env, resourceLogName(a), { afterPos: read.at(-1)!.seq, size: 1000 });
    expect(rest.map((r) => (JSON.parse(r.cloudevent) as { id: string }).id)).toEqual([later.id]);
  });
});
