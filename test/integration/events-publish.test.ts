import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { putResource } from "../helpers/admin";
import { D1_LOG, storedEvents } from "../helpers/event-log";
import { call, callWithEnv, postJson, problem } from "../helpers/http";
import { altinnToken, bearer, platformToken } from "../helpers/tokens";

const RES = "urn:altinn:resource:publish-test";
const PUB = "altinn:events.publish";
let publisher: Record<string, string>;

beforeAll(async () => {
  await putResource("publish-test", "ttd", [{ subject: "/org/digdir", actions: ["subscribe"] }]);
  publisher = bearer(await altinnToken({ org: "ttd", scope: `${PUB} altinn:events.subscribe` }));
});

const event = (over: Record<string, unknown> = {}) => ({
  id: crypto.randomUUID(),
  type: "test.created",
  source: "https://example.com/things/1",
  specversion: "1.0",
  resource: RES,
  ...over,
});
const publish = (body: unknown, headers = publisher, type = "application/cloudevents+json") =>
  postJson("/events/api/v1/events", body, headers, type);
/** The D1 log, pinned (the tests below that read its table): `EVENT_LOG=d1`. */
const publishD1 = (body: unknown) =>
  callWithEnv(D1_LOG, "/events/api/v1/events", {
    method: "POST",
    headers: { ...publisher, "content-type": "application/cloudevents+json" },
    body: JSON.stringify(body),
  });
const count = async (id: string) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE id = ?").bind(id).first<{ n: number }>())!.n;

describe("POST /events/api/v1/events", () => {
  it("answers 200 with an empty body once the event is stored, readable at once (the partitioned log)", async () => {
    const e = event({ data: { hello: "world" }, subject: "/party/1", alternativesubject: "/person/01017512345" });
    const res = await publish(e);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    const stored = (await storedEvents(RES)).find((s) => s.event.id === e.id);
    expect(stored?.event).toMatchObject({ ...e, time: expect.any(String) });
  });

  it("D1 log (EVENT_LOG=d1): answers 200 with an empty body once the event is in D1, and hands it to the queue", async () => {
    const e = event({
      data: { hello: "world" },
      subject: "/party/1",
      alternativesubject: "/person/01017512345",
      ext1: "x",
    });
    const res = await publishD1(e);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    const row = await env.DB.prepare("SELECT cloudevent, dispatched_at FROM events WHERE id = ?")
      .bind(e.id)
      .first<{ cloudevent: string; dispatched_at: string | null }>();
    expect(JSON.parse(row!.cloudevent)).toMatchObject({ ...e, time: expect.any(String) });
    for (
      let i = 0;
      i < 50 &&
      !(await env.DB.prepare("SELECT dispatched_at FROM events WHERE id = ?")
        .bind(e.id)
        .first<{ dispatched_at: string | null }>())!.dispatched_at;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(
      (await env.DB.prepare("SELECT dispatched_at FROM events WHERE id = ?")
        .bind(e.id)
        .first<{ dispatched_at: string | null }>())!.dispatched_at,
    ).not.toBeNull();
  });

  it("accepts application/json too and refuses other content types with 415", async () => {
    expect((await publish(event(), publisher, "application/json")).status).toBe(200);
    const res = await publish(event(), publisher, "text/plain");
    expect(res.status).toBe(415);
    await problem(res);
  });

  it("is idempotent on (source, id): stores once, answers 200 again (the partitioned log)", async () => {
    const e = event();
    const stored = async () => (await storedEvents(RES)).filter((s) => s.event.id === e.id);
    expect((await publish(e)).status).toBe(200);
    expect((await publish({ ...e, type: "changed" })).status).toBe(200);
    expect((await stored()).map((s) => s.event.type)).toEqual(["test.created"]);
    const other = { ...e, source: "https://example.com/other" };
    expect((await publish(other)).status).toBe(200);
    expect((await stored()).map((s) => s.event.source)).toEqual([e.source, other.source]);
  });

  it("D1 log (EVENT_LOG=d1): is idempotent on (source, id): stores once, answers 200 again", async () => {
    const e = event();
    expect((await publishD1(e)).status).toBe(200);
    expect((await publishD1({ ...e, type: "changed" })).status).toBe(200);
    expect(await count(e.id)).toBe(1);
    const other = { ...e, source: "https://example.com/other" };
    expect((await publishD1(other)).status).toBe(200);
    expect(await count(e.id)).toBe(2);
  });

  it("answers 401 without a token, 403 without the scope or the publish right", async () => {
    expect((await publish(event(), {})).status).toBe(401);
    expect(
      (await publish(event(), bearer(await altinnToken({ org: "ttd", scope: "altinn:events.subscribe" })))).status,
    ).toBe(403);
    const res = await publish(event(), bearer(await altinnToken({ org: "digdir", scope: PUB })));
    expect(res.status).toBe(403);
    expect((await problem(res)).detail).toContain(RES);
    expect((await publish(event({ resource: "urn:altinn:resource:does-not-exist" }))).status).toBe(403);
  });

  it("refuses events on an org's notifications resource, even from that org: status events are Varsel's own", async () => {
    const res = await publish(
      event({ resource: "urn:altinn:resource:notifications_ttd", source: "urn:varsel:notifications" }),
      bearer(await altinnToken({ org: "ttd", scope: PUB })),
    );
    expect(res.status).toBe(403);
    expect((await problem(res)).detail).toContain("published by Varsel only");
  });

  it("gives the exact texts of SPEC §4.1", async () => {
    const { resource: _r, ...noResource } = event();
    expect((await problem(await publish(noResource))).detail).toBe("A 'resource' property must be defined.");
    expect((await problem(await publish(event({ resource: "urn:altinn:resource:UPPER" })))).detail).toBe(
      "'Resource' must be a valid urn.",
    );
    const p = await problem(await publish({ resource: RES, type: "t" }));
    expect(p.status).toBe(400);
    expect(p.detail).toBe("CloudEvent is missing required attributes: id, source, specversion");
  });

  it("does not echo the start of a body that is not JSON (it may be a secret)", async () => {
    const res = await publish("eyJhbGciOiJFUzI1NiJ9.secretpart");
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain("not valid JSON");
    expect(text).not.toContain("eyJhbGci");
  });

  it("refuses bad extension names and JSON nested deeper than 64 levels with 400", async () => {
    expect((await publish(event({ "Not-OK": "x" }))).status).toBe(400);
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    const res = await publish(event({ data: deep }));
    expect(res.status).toBe(400);
    expect(JSON.stringify((await problem(res)).errors)).toContain("64");
  });

  it("refuses a body over 64 KiB with 413 and stores nothing", async () => {
    const e = event({ data: "x".repeat(64 * 1024) });
    const res = await publish(e);
    expect(res.status).toBe(413);
    await problem(res);
    expect((await storedEvents(RES)).some((s) => s.event.id === e.id)).toBe(false);
    const small = event({ data: "x".repeat(60 * 1024) });
    expect((await publish(small)).status).toBe(200);
  });

  it("refuses a streamed body over 64 KiB without a content-length", async () => {
    const e = JSON.stringify(event({ data: "y".repeat(70 * 1024) }));
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(e));
        c.close();
      },
    });
    const res = await call("/events/api/v1/events", {
      method: "POST",
      headers: { ...publisher, "content-type": "application/cloudevents+json" },
      body,
    });
    expect(res.status).toBe(413);
  });
});

describe("POST /events/api/v1/app", () => {
  const source = "https://ttd.apps.altinn.no/ttd/apps-test/instances/50019855/3fa85f64-5717-4562-b3fc-2c963f66afa6";
  const body = {
    type: "app.instance.created",
    source,
    subject: "/party/50019855",
    specversion: "1.0",
    alternativesubject: "/person/01017512345",
  };

  it("answers 201 with the new id and stores the event on the app resource (the partitioned log)", async () => {
    const res = await postJson("/events/api/v1/app", body, {
      ...bearer(await altinnToken({ org: "ttd" })),
      platformaccesstoken: await platformToken("ttd", "apps-test"),
    });
    expect(res.status).toBe(201);
    const id = await res.json<string>();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const stored = (await storedEvents("urn:altinn:resource:app_ttd_apps-test")).find((s) => s.event.id === id);
    expect(stored?.event.resourceinstance).toBe("50019855/3fa85f64-5717-4562-b3fc-2c963f66afa6");
  });

  it("D1 log (EVENT_LOG=d1): answers 201 with the new id and stores the event on the app resource", async () => {
    const res = await callWithEnv(D1_LOG, "/events/api/v1/app", {
      method: "POST",
      headers: {
        ...bearer(await altinnToken({ org: "ttd" })),
        platformaccesstoken: await platformToken("ttd", "apps-test"),
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    const id = await res.json<string>();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const row = await env.DB.prepare("SELECT resource, cloudevent FROM events WHERE id = ?")
      .bind(id)
      .first<{ resource: string; cloudevent: string }>();
    expect(row!.resource).toBe("urn:altinn:resource:app_ttd_apps-test");
    expect(JSON.parse(row!.cloudevent).resourceinstance).toBe("50019855/3fa85f64-5717-4562-b3fc-2c963f66afa6");
  });

  it("answers 401 without an Altinn token and 403 without a valid Platform Access Token", async () => {
    expect(
      (await postJson("/events/api/v1/app", body, { platformaccesstoken: await platformToken("ttd", "apps-test") }))
        .status,
    ).toBe(401);
    const altinn = bearer(await altinnToken({ org: "ttd" }));
    expect((await postJson("/events/api/v1/app", body, altinn)).status).toBe(403);
    expect((await postJson("/events/api/v1/app", body, { ...altinn, platformaccesstoken: "garbage" })).status).toBe(
      403,
    );
    expect(
      (
        await postJson("/events/api/v1/app", body, {
          ...altinn,
          platformaccesstoken: await platformToken("ttd", "apps-test", -300),
        })
      ).status,
    ).toBe(403);
    // An Altinn token is not a Platform Access Token: its issuer is not an org code.
    expect(
      (
        await postJson("/events/api/v1/app", body, {
          ...altinn,
          platformaccesstoken: await altinnToken({ org: "ttd" }),
        })
      ).status,
    ).toBe(403);
  });

  it("refuses a body over 64 KiB with 413 and another content type with 415", async () => {
    const headers = {
      ...bearer(await altinnToken({ org: "ttd" })),
      platformaccesstoken: await platformToken("ttd", "apps-test"),
    };
    expect((await postJson("/events/api/v1/app", { ...body, data: "z".repeat(65 * 1024) }, headers)).status).toBe(413);
    expect((await postJson("/events/api/v1/app", body, headers, "text/plain")).status).toBe(415);
  });

  it("answers 401 with Altinn's text for another app's source, and 400 for missing values", async () => {
    const headers = {
      ...bearer(await altinnToken({ org: "ttd" })),
      platformaccesstoken: await platformToken("ttd", "other-app"),
    };
    const res = await postJson("/events/api/v1/app", body, headers);
    expect(res.status).toBe(401);
    expect((await problem(res)).detail).toBe(`ttd/other-app is not authorized to create events for ${source}`);
    const missing = await postJson("/events/api/v1/app", { specversion: "1.0" }, headers);
    expect(missing.status).toBe(400);
    expect((await problem(missing)).detail).toBe("Missing parameter values: source, subject and type cannot be null");
    const { specversion: _s, ...noSpecversion } = body;
    const own = {
      ...bearer(await altinnToken({ org: "ttd" })),
      platformaccesstoken: await platformToken("ttd", "apps-test"),
    };
    expect((await problem(await postJson("/events/api/v1/app", noSpecversion, own))).detail).toBe(
      "Missing parameter values: source, subject and type cannot be null",
    );
  });
});
