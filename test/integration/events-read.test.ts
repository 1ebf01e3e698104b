import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { adminHeaders, putResource } from "../helpers/admin";
import type { CloudEvent } from "../../src/events/cloudevent";
import { eventLogStub } from "../../src/events/log/stubs";
import { D1_LOG } from "../helpers/event-log";
import { BASE, call, callWithEnv, postJson, problem } from "../helpers/http";
import { altinnToken, bearer, platformToken } from "../helpers/tokens";

const RES = "urn:altinn:resource:read-test";
let owner: Record<string, string>;

async function publish(over: Record<string, unknown> = {}) {
  const e = {
    id: crypto.randomUUID(),
    type: "read.created",
    source: "https://example.com/r/1",
    specversion: "1.0",
    resource: RES,
    ...over,
  };
  const res = await postJson("/events/api/v1/events", e, owner, "application/cloudevents+json");
  expect(res.status).toBe(200);
  return e;
}

async function readAll(first: string, headers: Record<string, string>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let url: string | null = first;
  let pages = 0;
  while (url) {
    const res: Response = await call(url.replace(BASE, ""), { headers });
    expect(res.status).toBe(200);
    const page = await res.json<{ id: string }[]>();
    pages++;
    ids.push(...page.map((e) => e.id));
    url = page.length ? res.headers.get("next") : null;
    if (!page.length) expect(res.headers.get("next")).toBeNull();
  }
  return { ids, pages };
}

beforeAll(async () => {
  await putResource("read-test", "ttd", [{ subject: "/org/digdir", actions: ["subscribe"] }]);
  owner = bearer(await altinnToken({ org: "ttd", scope: "altinn:events.publish altinn:events.subscribe" }));
});

describe("GET /events/api/v1/events", () => {
  it("pages through any number of events in publish order with no gap and no duplicate", async () => {
    const published: string[] = [];
    for (let i = 0; i < 23; i++)
      published.push(
        (await publish({ source: `https://example.com/r/${i}`, id: i % 2 ? `dup-${i % 4}` : crypto.randomUUID() })).id,
      );
    const { ids, pages } = await readAll(`/events/api/v1/events?resource=${RES}&after=0&size=5`, owner);
    expect(ids).toEqual(published);
    expect(pages).toBe(6);
  });

  it("keeps the other query parameters in the absolute next link", async () => {
    await publish({ type: "keep.me" });
    const res = await call(`/events/api/v1/events?resource=${RES}&after=0&type=keep.me&size=1`, { headers: owner });
    const next = new URL(res.headers.get("next")!);
    expect(next.origin).toBe(BASE);
    expect(next.searchParams.get("type")).toBe("keep.me");
    expect(next.searchParams.get("resource")).toBe(RES);
    expect(next.searchParams.get("after")).not.toBe("0");
  });

  it("accepts an event id as after", async () => {
    const a = await publish();
    const b = await publish();
    const res = await call(`/events/api/v1/events?resource=${RES}&after=${a.id}`, { headers: owner });
    expect((await res.json<{ id: string }[]>()).map((e) => e.id)).toEqual([b.id]);
  });

  it("matches types with the % wildcard, repeated type parameters, subject and alternative subject", async () => {
    const x = await publish({
      type: "wild.one.created",
      subject: "/party/77",
      alternativesubject: "/person/01017512345",
    });
    const y = await publish({ type: "wild.two.deleted", subject: "/party/78" });
    const get = async (q: string, headers: Record<string, string> = {}) =>
      (
        await (
          await call(`/events/api/v1/events?resource=${RES}&after=0&${q}`, { headers: { ...owner, ...headers } })
        ).json<{ id: string }[]>()
      ).map((e) => e.id);
    expect(await get("type=wild.%")).toEqual([x.id, y.id]);
    expect(await get("type=wild.%.created")).toEqual([x.id]);
    expect(await get("type=wild.one.created&type=wild.two.deleted")).toEqual([x.id, y.id]);
    expect(await get("type=wild_one%")).toEqual([]);
    expect(await get("subject=/party/78")).toEqual([y.id]);
    // Types are exact strings: the wildcard is %, and case counts.
    expect(await get("type=WILD.%")).toEqual([]);
    // Query names bind case-insensitively (ASP.NET), so a camelCased filter is applied, not ignored.
    expect(await get("type=wild.%&alternativeSubject=/person/01017512345")).toEqual([x.id]);
    expect(await get("type=wild.%", { alternativesubject: "/person/01017512345" })).toEqual([x.id]);
  });

  /** 1,005 events on `read-<name>`, stored by `fill`; pages read through `get` (one log or the other). */
  async function clampsSize(
    name: string,
    fill: (events: CloudEvent[]) => Promise<unknown>,
    get: (path: string) => Promise<Response>,
  ) {
    const resource = `urn:altinn:resource:read-${name}`;
    const events = Array.from({ length: 1005 }, (_, i) => ({
      id: `${name}-${i}`,
      type: "bulk",
      source: "https://example.com/bulk",
      specversion: "1.0",
      resource,
      time: new Date().toISOString(),
    }));
    await fill(events as CloudEvent[]);
    await putResource(`read-${name}`, "ttd");
    const res = await get(`/events/api/v1/events?resource=${resource}&after=0&size=5000`);
    const first = await res.json<{ id: string }[]>();
    expect(first.length).toBe(1000);
    const next = new URL(res.headers.get("next")!);
    const rest = await (await get(next.pathname + next.search)).json<{ id: string }[]>();
    expect([...first, ...rest].map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect((await (await get(`/events/api/v1/events?resource=${resource}&after=0`)).json<unknown[]>()).length).toBe(50);
  }

  it("clamps size to 1000 (the partitioned log)", async () => {
    await clampsSize(
      "bulk-log",
      (events) => eventLogStub(env, events[0]!.resource).appendMany(events, Date.now()),
      (path) => call(path, { headers: owner }),
    );
  });

  it("D1 log (EVENT_LOG=d1): clamps size to 1000", async () => {
    await clampsSize(
      "bulk",
      (events) =>
        env.DB.batch(
          events.map((e) =>
            env.DB.prepare(
              "INSERT INTO events (id, source, resource, type, time, cloudevent, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            ).bind(e.id, e.source, e.resource, e.type, e.time!, JSON.stringify(e), e.time!),
          ),
        ),
      (path) => callWithEnv(D1_LOG, path, { headers: owner }),
    );
  });

  it("answers the texts of SPEC §4.3 for bad queries", async () => {
    const p1 = await problem(await call(`/events/api/v1/events?after=0`, { headers: owner }));
    expect(p1.detail).toBe("The 'resource' parameter must begin with urn:altinn:resource:");
    const p2 = await problem(await call(`/events/api/v1/events?resource=demo&after=0`, { headers: owner }));
    expect(p2.detail).toBe("The 'resource' parameter must begin with urn:altinn:resource:");
    expect((await call(`/events/api/v1/events?resource=${RES}`, { headers: owner })).status).toBe(400);
    expect(
      (
        await call(`/events/api/v1/events?resource=${RES}&after=0&subject=/party/1`, {
          headers: { ...owner, alternativesubject: "/person/01017512345" },
        })
      ).status,
    ).toBe(400);
    expect((await call(`/events/api/v1/events?resource=${RES}&after=0&size=-3`, { headers: owner })).status).toBe(400);
    expect((await call(`/events/api/v1/events?resource=${RES}&after=0&size=0`, { headers: owner })).status).toBe(400);
    expect((await call(`/events/api/v1/app/ttd/apps-test?after=0&size=0`, { headers: owner })).status).toBe(400);
    expect(
      (await call(`/events/api/v1/events?resource=${RES}&after=vc1.no-such-cursor`, { headers: owner })).status,
    ).toBe(400);
  });

  it("needs the subscribe scope and a read right; a grant applies to the very next request", async () => {
    await publish();
    expect(
      (
        await call(`/events/api/v1/events?resource=${RES}&after=0`, {
          headers: bearer(await altinnToken({ org: "ttd" })),
        })
      ).status,
    ).toBe(403);
    const digdir = bearer(await altinnToken({ org: "digdir", scope: "altinn:events.subscribe" }));
    expect((await call(`/events/api/v1/events?resource=${RES}&after=0`, { headers: digdir })).status).toBe(403);
    await putResource("read-test", "ttd", [{ subject: "/org/digdir", actions: ["subscribe", "read"] }]);
    expect((await call(`/events/api/v1/events?resource=${RES}&after=0`, { headers: digdir })).status).toBe(200);
    await putResource("read-test", "ttd", [{ subject: "/org/digdir", actions: ["subscribe"] }]);
    expect((await call(`/events/api/v1/events?resource=${RES}&after=0`, { headers: digdir })).status).toBe(403);
  });
});

describe("app event reading", () => {
  const guid = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
  async function appEvent(party: string, app = "reader-app", extra: Record<string, unknown> = {}) {
    const res = await postJson(
      "/events/api/v1/app",
      {
        type: "app.instance.created",
        source: `https://ttd.apps.example/ttd/${app}/instances/${party}/${guid}`,
        subject: `/party/${party}`,
        specversion: "1.0",
        ...extra,
      },
      { ...bearer(await altinnToken({ org: "ttd" })), platformaccesstoken: await platformToken("ttd", app) },
    );
    expect(res.status).toBe(201);
    return res.json<string>();
  }

  it("lets the owning org read its app's events, filtered by party, unit, person and type", async () => {
    const a = await appEvent("50001", "reader-app", { alternativesubject: "/organisation/991825827" });
    const b = await appEvent("50002", "reader-app", { alternativesubject: "/person/01017512345" });
    const org = bearer(await altinnToken({ org: "ttd" }));
    const ids = async (q: string, h: Record<string, string> = {}) =>
      (
        await (
          await call(`/events/api/v1/app/ttd/reader-app?${q}`, { headers: { ...org, ...h } })
        ).json<{ id: string }[]>()
      ).map((e) => e.id);
    expect(await ids("after=0")).toEqual([a, b]);
    expect(await ids("after=0&party=50002")).toEqual([b]);
    expect(await ids("after=0&unit=991825827")).toEqual([a]);
    expect(await ids("after=0", { person: "01017512345" })).toEqual([b]);
    expect(await ids("from=2000-01-01T00:00:00Z")).toEqual([a, b]);
    expect(await ids("from=2999-01-01T00:00:00Z")).toEqual([]);
    expect((await call(`/events/api/v1/app/ttd/reader-app`, { headers: org })).status).toBe(400);
    expect(
      (
        await call(`/events/api/v1/app/ttd/reader-app?after=0`, {
          headers: bearer(await altinnToken({ org: "digdir" })),
        })
      ).status,
    ).toBe(403);
  });

  it("lets a user read only their own party's app events", async () => {
    const mine = await appEvent("50001337", "party-app");
    await appEvent("50009999", "party-app");
    const user = bearer(await altinnToken({ user: "1337", party: "50001337" }));
    const res = await call(`/events/api/v1/app/party?after=0&party=50001337`, { headers: user });
    expect(res.status).toBe(200);
    expect((await res.json<{ id: string }[]>()).map((e) => e.id)).toEqual([mine]);
    expect((await call(`/events/api/v1/app/party?after=0&party=50009999`, { headers: user })).status).toBe(403);
    expect((await call(`/events/api/v1/app/party?after=0`, { headers: user })).status).toBe(400);
    const viaOrgRoute = await call(`/events/api/v1/app/ttd/party-app?after=0`, { headers: user });
    expect((await viaOrgRoute.json<{ id: string }[]>()).map((e) => e.id)).toEqual([mine]);
  });

  it("pages the app routes with next links and filters /app/party by source, unit, person, type and to", async () => {
    const a = await appEvent("50004242", "paging-app", {
      alternativesubject: "/organisation/991825827",
      type: "app.instance.created",
    });
    const b = await appEvent("50004242", "paging-app", {
      alternativesubject: "/person/01017512345",
      type: "app.instance.process.completed",
    });
    const org = bearer(await altinnToken({ org: "ttd" }));
    const first = await call(`/events/api/v1/app/ttd/paging-app?after=0&size=1`, { headers: org });
    expect((await first.json<{ id: string }[]>()).map((e) => e.id)).toEqual([a]);
    const next = new URL(first.headers.get("next")!);
    expect(next.searchParams.get("size")).toBe("1");
    const second = await call(next.pathname + next.search, { headers: org });
    expect((await second.json<{ id: string }[]>()).map((e) => e.id)).toEqual([b]);
    expect(
      (
        await (
          await call(`/events/api/v1/app/ttd/paging-app?after=0&type=app.instance.process.%`, { headers: org })
        ).json<{ id: string }[]>()
      ).map((e) => e.id),
    ).toEqual([b]);
    expect(
      await (
        await call(`/events/api/v1/app/ttd/paging-app?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z`, {
          headers: org,
        })
      ).json(),
    ).toEqual([]);

    const user = bearer(await altinnToken({ user: "4242", party: "50004242" }));
    const party = async (q: string, h: Record<string, string> = {}) =>
      (
        await (
          await call(`/events/api/v1/app/party?after=0&${q}`, { headers: { ...user, ...h } })
        ).json<{ id: string }[]>()
      ).map((e) => e.id);
    expect(await party("party=50004242")).toEqual([a, b]);
    expect(await party("unit=991825827")).toEqual([a]);
    expect(await party("", { person: "01017512345" })).toEqual([b]);
    expect(await party("party=50004242&source=https://ttd.apps.example/ttd/paging-app/%")).toEqual([a, b]);
    expect(await party("party=50004242&source=https://ttd.apps.example/ttd/other-app/%")).toEqual([]);
  });

  it("stops a read right at once when the resource is deleted", async () => {
    await putResource("read-deleted", "ttd", [{ subject: "/org/digdir", actions: ["read"] }]);
    const digdir = bearer(await altinnToken({ org: "digdir", scope: "altinn:events.subscribe" }));
    expect(
      (await call(`/events/api/v1/events?resource=urn:altinn:resource:read-deleted&after=0`, { headers: digdir }))
        .status,
    ).toBe(200);
    expect(
      (await call(`/admin/api/v1/resources/read-deleted`, { method: "DELETE", headers: await adminHeaders() })).status,
    ).toBe(200);
    expect(
      (await call(`/events/api/v1/events?resource=urn:altinn:resource:read-deleted&after=0`, { headers: digdir }))
        .status,
    ).toBe(403);
  });
});
