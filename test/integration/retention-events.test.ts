// Retention for events and pushes (SPEC §7.2): bounded deletes per cron tick, a cursor into removed
// history reads on from the oldest kept event, and each subscription object's storage shrinks too,
// even when it is idle (its alarm wakes it when the oldest finished push expires).
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { deliveryStub } from "../../src/delivery/stub";
import { PushStore } from "../../src/delivery/store";
import { encodeCursor } from "../../src/events/cursor";
import { pruneEvents } from "../../src/events/retention";
import { retentionSettings } from "../../src/retention/settings";
import { putResource } from "../helpers/admin";
import { ev, validatedSubscription } from "../helpers/delivery";
import type { CloudEvent } from "../../src/events/cloudevent";
import { eventLogStub, resourceLogName } from "../../src/events/log/stubs";
import { D1_LOG } from "../helpers/event-log";
import { call, callWithEnv } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

const DAY = 86_400_000;

async function storeAt(e: ReturnType<typeof ev>, storedAt: Date): Promise<number> {
  return (await env.DB.prepare(
    "INSERT INTO events (id, source, resource, type, time, cloudevent, stored_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5) RETURNING seq",
  )
    .bind(
      e.id,
      e.source,
      e.resource,
      e.type,
      storedAt.toISOString(),
      JSON.stringify({ ...e, time: storedAt.toISOString() }),
    )
    .first<{ seq: number }>())!.seq;
}

describe("events retention", () => {
  it("the partitioned log: the resource's alarm deletes expired events and a cursor into removed history reads on", async () => {
    const rid = `it-ret-log-${crypto.randomUUID().slice(0, 8)}`;
    await putResource(rid, "ttd");
    const resource = `urn:altinn:resource:${rid}`;
    const now = Date.now();
    const row = (seq: number, storedAt: number) => ({
      seq,
      event: { ...ev(resource), time: new Date(storedAt).toISOString() } as CloudEvent,
      storedAt,
      outbox: false,
    });
    const old = Array.from({ length: 25 }, (_, i) => row(i + 1, now - 100 * DAY));
    const kept = [row(26, now - DAY), row(27, now - DAY)];
    const head = eventLogStub(env, resource);
    await head.importRows([...old, ...kept], { name: resourceLogName(resource), resource });
    // The alarm prunes, then moves what is left (a day old) on to a segment; it runs until nothing is due.
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(head)); i++);
    const remaining = await runInDurableObject(head, (_o, state) =>
      state.storage.sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE stored_at < ?", now - 50 * DAY)
        .one(),
    );
    expect(remaining.n).toBe(0);

    const headers = bearer(await altinnToken({ org: "ttd", scope: "altinn:events.subscribe" }));
    const res = await call(
      `/events/api/v1/events?resource=${encodeURIComponent(resource)}&after=${encodeCursor(old[3]!.seq)}`,
      { headers },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }[]).map((e) => e.id)).toEqual(kept.map((e) => e.event.id));
  });

  it("D1 log (EVENT_LOG=d1): deletes expired events in bounded batches per tick and a cursor into removed history reads on", async () => {
    const rid = `it-ret-${crypto.randomUUID().slice(0, 8)}`;
    await putResource(rid, "ttd");
    const resource = `urn:altinn:resource:${rid}`;
    const now = new Date();
    const old: number[] = [];
    for (let i = 0; i < 25; i++) old.push(await storeAt(ev(resource), new Date(now.getTime() - 100 * DAY)));
    const kept = [ev(resource), ev(resource)];
    for (const e of kept) await storeAt(e, new Date(now.getTime() - DAY));

    const keep = retentionSettings(env).eventsMs;
    expect(await pruneEvents(env, now, keep, { batch: 10, maxBatches: 2, budgetMs: 10_000 })).toBe(20);
    expect(await pruneEvents(env, now, keep, { batch: 10, maxBatches: 2, budgetMs: 10_000 })).toBe(5);
    expect(await pruneEvents(env, now, keep, { batch: 10, maxBatches: 2, budgetMs: 10_000 })).toBe(0);

    const headers = bearer(await altinnToken({ org: "ttd", scope: "altinn:events.subscribe" }));
    const res = await callWithEnv(
      D1_LOG,
      `/events/api/v1/events?resource=${encodeURIComponent(resource)}&after=${encodeCursor(old[3]!)}`,
      { headers },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }[]).map((e) => e.id)).toEqual(kept.map((e) => e.id));
  });
});

describe("push retention in the subscription's object", () => {
  it("an idle object sleeps until its oldest finished push expires, then forgets it", async () => {
    const sub = await validatedSubscription(0);
    const stub = deliveryStub(env, sub.id);
    const keep = retentionSettings(env).deliveriesMs;
    const now = Date.now();
    await runInDurableObject(stub, async (_i, state) => {
      const store = new PushStore(state.storage.sql);
      store.add(1, "expired", "{}", now - keep - 2 * DAY);
      store.add(2, "recent", "{}", now - DAY);
      store.delivered(1, now - keep - DAY);
      store.deadLetter(2, "HTTP 500", now - DAY);
      await state.storage.setAlarm(now);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await runInDurableObject(stub, async (_i, state) => ({
      left: state.storage.sql
        .exec<{ event_id: string }>("SELECT event_id FROM pushes")
        .toArray()
        .map((r) => r.event_id),
      alarm: await state.storage.getAlarm(),
      bodies: state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM pushes WHERE body <> ''").one().n,
    }));
    expect(after).toEqual({ left: ["recent"], alarm: now - DAY + keep, bodies: 0 });
  });

  it("an object created before retention counted from the final state gets its finished pushes dated and expiring", async () => {
    const ns = env.SUBSCRIPTION_DO;
    const out = await runInDurableObject(ns.get(ns.idFromName(`old-${crypto.randomUUID()}`)), (_i, state) => {
      // The first release's tables (replacing what the object's constructor made), one delivered and one pending push.
      state.storage.sql.exec(`DROP TABLE pushes; DROP TABLE attempts;
        CREATE TABLE pushes (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, due_at INTEGER, reason TEXT, last_status INTEGER, last_body TEXT, enqueued_at INTEGER NOT NULL, failed_at INTEGER);
        CREATE TABLE attempts (seq INTEGER NOT NULL, attempt INTEGER NOT NULL, status_code INTEGER, duration_ms INTEGER NOT NULL, time TEXT NOT NULL,
        error TEXT, PRIMARY KEY (seq, attempt));
        INSERT INTO pushes (seq, event_id, body, status, attempts, enqueued_at) VALUES (1, 'old', '{"big":1}', 'delivered', 1, 1000), (2, 'wait', '{}', 'pending', 0, 2000);`);
      const store = new PushStore(state.storage.sql);
      store.ensureSchema();
      const pruned = store.pruneFinished(5000, 10);
      return {
        pruned,
        left: state.storage.sql.exec<{ seq: number; body: string }>("SELECT seq, body FROM pushes").toArray(),
      };
    });
    expect(out).toEqual({ pruned: 1, left: [{ seq: 2, body: "{}" }] });
  });
});
