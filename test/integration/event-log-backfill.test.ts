// The migration of the D1 log into the partitioned log (issue 10 point 3, docs/event-log.md): rows
// in the old `events` table, including ones still in its outbox, end up in the new log, are pushed
// once, and old `vc1` cursors read on from where they were with no gap and no duplicate.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { backfillState, backfillTick } from "../../src/events/log/backfill";
import { eventLogStub } from "../../src/events/log/stubs";
import { forgetBackfilled } from "../../src/events/log-store";
import { deliveries, ENDPOINT, ev, markValidated, poll, validatedSubscription } from "../helpers/delivery";
import { callWithEnv } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

const OBJECTS = { EVENT_LOG: "objects" };
type Headers = Record<string, string>;

/** Stores a row as the D1 log did (prev_seq unknown); `outboxDueAt` null: already handed over. */
async function storeInD1(
  e: { id: string; source: string; resource: string; type: string; time: string; subject?: string },
  outboxDueAt: number | null,
): Promise<number> {
  return (await env.DB.prepare(
    "INSERT INTO events (id, source, resource, type, subject, time, cloudevent, stored_at, outbox_due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6, ?8) RETURNING seq",
  )
    .bind(e.id, e.source, e.resource, e.type, e.subject ?? null, e.time, JSON.stringify(e), outboxDueAt)
    .first<{ seq: number }>())!.seq;
}

async function read(path: string, headers: Headers): Promise<{ ids: string[]; next: string | null }> {
  const res = await callWithEnv(OBJECTS, path, { headers });
  expect(res.status).toBe(200);
  return { ids: (await res.json<{ id: string }[]>()).map((e) => e.id), next: res.headers.get("next") };
}

const pathOf = (next: string) => new URL(next).pathname + new URL(next).search;

async function readAll(first: string, headers: Headers): Promise<string[]> {
  const ids: string[] = [];
  let path: string | null = first;
  while (path) {
    const page = await read(path, headers);
    ids.push(...page.ids);
    path = page.ids.length && page.next ? pathOf(page.next) : null;
  }
  return ids;
}

async function rowsInHead(resource: string): Promise<number> {
  return runInDurableObject(eventLogStub(env, resource), (_o, state) =>
    Number(state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events").one().n),
  );
}

describe("backfill of the D1 log into the partitioned log", { timeout: 60_000 }, () => {
  it("copies every row, pushes the unconfirmed ones once, old cursors read on with no gap and no duplicate, and a repeat of a migrated event stores and pushes nothing", async () => {
    const sub = await validatedSubscription(0, { endPoint: ENDPOINT });
    const party = String(52_100_000 + Math.floor(Math.random() * 100_000));
    const appResource = "urn:altinn:resource:app_ttd_backfill";
    // An existing database: five events of the subscription's resource (two already handed over,
    // three still in the outbox) and three app events about one party, interleaved.
    const resourceEvents = Array.from({ length: 5 }, () => ev(sub.resource));
    const partyEvents = Array.from({ length: 3 }, () => ({
      ...ev(appResource),
      source: `https://ttd.apps.example/ttd/backfill/instances/${party}/${crypto.randomUUID()}`,
      subject: `/party/${party}`,
    }));
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) {
      seqs.push(await storeInD1(resourceEvents[i]!, i < 2 ? null : Date.now() + 3_600_000));
      if (i < 3) await storeInD1(partyEvents[i]!, null);
    }
    // The subscription had the first two (validated after them, as in the old world).
    await markValidated(sub.id, seqs[1]!);
    await env.DB.prepare("UPDATE event_log_backfill SET mark = 0, done = 0 WHERE id = 1").run();
    forgetBackfilled();

    // Before the backfill is done, EVENT_LOG=objects still serves the D1 log: cursors handed out now are vc1 seqs.
    const user = bearer(await altinnToken({ user: "42", party }));
    const resourceRead = `/events/api/v1/events?resource=${encodeURIComponent(sub.resource)}`;
    const oldResource = await read(`${resourceRead}&after=0&size=2`, sub.headers);
    expect(oldResource.ids).toEqual(resourceEvents.slice(0, 2).map((e) => e.id));
    const oldParty = await read(`/events/api/v1/app/party?after=0&party=${party}&size=1`, user);
    expect(oldParty.ids).toEqual([partyEvents[0]!.id]);

    for (let i = 0; i < 10 && !(await backfillState(env)).done; i++) await backfillTick(env);
    expect((await backfillState(env)).done).toBe(true);
    // The D1 outbox is empty for them: the log's outbox pushes them now.
    const stillDue = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM events WHERE seq IN (SELECT value FROM json_each(?)) AND outbox_due_at IS NOT NULL",
    )
      .bind(JSON.stringify(seqs))
      .first<{ n: number }>();
    expect(stillDue!.n).toBe(0);
    // A repeated tick (a cut-off one run again) changes nothing.
    await env.DB.prepare("UPDATE event_log_backfill SET mark = 0 WHERE id = 1").run();
    await backfillTick(env);

    // From here the new log serves: the D1 rows can go, old cursors still read on.
    await env.DB.prepare("DELETE FROM events WHERE seq >= ?").bind(seqs[0]!).run();
    // The migrated rows move on to a segment (their stored time is old): the head no longer holds them.
    const head = eventLogStub(env, sub.resource);
    await runInDurableObject(head, (instance) => {
      const o = instance as unknown as { env: Env };
      o.env = { ...o.env, EVENT_LOG_ARCHIVE_AFTER: "0s" };
    });
    await poll(async () => (await rowsInHead(sub.resource)) === 0 || null, "the migrated rows moved to a segment");
    // A publisher repeats events it published just before the switch (one handed over, one that was
    // still owed): SPEC §4.1, the same (source, id) stores nothing and pushes nothing.
    for (const e of [resourceEvents[0]!, resourceEvents[3]!]) {
      const again = await callWithEnv(OBJECTS, "/events/api/v1/events", {
        method: "POST",
        headers: { ...sub.headers, "content-type": "application/cloudevents+json" },
        body: JSON.stringify(e),
      });
      expect(again.status).toBe(200);
    }
    expect(await rowsInHead(sub.resource)).toBe(0);
    const newEvent = ev(sub.resource);
    const res = await callWithEnv(OBJECTS, "/events/api/v1/events", {
      method: "POST",
      headers: { ...sub.headers, "content-type": "application/cloudevents+json" },
      body: JSON.stringify(newEvent),
    });
    expect(res.status).toBe(200);
    expect(await readAll(pathOf(oldResource.next!), sub.headers)).toEqual(
      [...resourceEvents.slice(2), newEvent].map((e) => e.id),
    );
    expect(await readAll(pathOf(oldParty.next!), user)).toEqual(partyEvents.slice(1).map((e) => e.id));
    expect(await readAll(`${resourceRead}&after=0&size=3`, sub.headers)).toEqual(
      [...resourceEvents, newEvent].map((e) => e.id),
    );

    // Pushed: the three that were still in the outbox, then the new one, each once.
    const want = [...resourceEvents.slice(2), newEvent].map((e) => e.id);
    const list = await poll(
      async () => {
        const l = await deliveries(sub.id, sub.headers);
        return l.length >= want.length && l.every((d) => d.attempts.length >= 1) ? l : null;
      },
      "the pushes of the migrated outbox",
      30_000,
    );
    expect(list.map((d) => d.eventId).reverse()).toEqual(want);
    expect(await eventLogStub(env, sub.resource).outboxPositions()).toEqual([]);
  });
});
