// Subscriptions API rules and texts (SPEC §4.4), through the Worker's real fetch handler in workerd.
import { describe, expect, it } from "vitest";
import { putResource } from "../helpers/admin";
import { call, postJson, problem } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

const SUBS = "/events/api/v1/subscriptions";
// Nothing listens here: validation just fails in the background.
const ENDPOINT = "http://127.0.0.1:9/hook";

async function org(org: string, scope = "altinn:events.subscribe") {
  return bearer(await altinnToken({ org, scope }));
}

async function resource(grants: { subject: string; actions: string[] }[] = []): Promise<string> {
  const id = `it-subs-${crypto.randomUUID().slice(0, 8)}`;
  await putResource(id, "ttd", grants);
  return `urn:altinn:resource:${id}`;
}

describe("POST /subscriptions", () => {
  it("creates a generic subscription: 201, absolute Location, the secret once, then the same one again without it", async () => {
    const resourceFilter = await resource([{ subject: "/org/digdir", actions: ["subscribe"] }]);
    const h = await org("digdir");
    const res = await postJson(SUBS, { endPoint: ENDPOINT, resourceFilter, typeFilter: "a.b" }, h);
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.headers.get("location")).toBe(`https://varsel.test${SUBS}/${body.id}`);
    expect(body).toMatchObject({
      endPoint: ENDPOINT,
      resourceFilter,
      typeFilter: "a.b",
      sourceFilter: null,
      subjectFilter: null,
      alternativeSubjectFilter: null,
      consumer: "/org/digdir",
      createdBy: "/org/digdir",
      validated: false,
    });
    expect(Number.isInteger(body.id)).toBe(true);
    expect(Date.parse(body.created as string)).not.toBeNaN();
    expect(body.secret).toMatch(/^whsec_/);

    const again = await postJson(SUBS, { endPoint: ENDPOINT, resourceFilter, typeFilter: "a.b" }, h);
    expect(again.status).toBe(201);
    const same = (await again.json()) as Record<string, unknown>;
    expect(same.id).toBe(body.id);
    expect(same).not.toHaveProperty("secret");

    const other = await postJson(SUBS, { endPoint: ENDPOINT, resourceFilter, typeFilter: "a.c" }, h);
    expect(((await other.json()) as { id: number }).id).not.toBe(body.id);
  });

  it("matches property names case-insensitively, as ASP.NET does, and documents the body in OpenAPI", async () => {
    const resourceFilter = await resource();
    const res = await postJson(
      SUBS,
      { endpoint: ENDPOINT, RESOURCEFILTER: resourceFilter, typefilter: "x.y" },
      await org("ttd"),
    );
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ endPoint: ENDPOINT, resourceFilter, typeFilter: "x.y" });
    const doc = (await (await call("/openapi.json")).json()) as {
      paths: Record<
        string,
        { post?: { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } } }
      >;
    };
    const schema = doc.paths[SUBS]!.post!.requestBody.content["application/json"]!.schema;
    expect(Object.keys(schema.properties)).toEqual([
      "endPoint",
      "sourceFilter",
      "resourceFilter",
      "subjectFilter",
      "alternativeSubjectFilter",
      "typeFilter",
    ]);
  });

  it("refuses a missing or invalid endpoint with SPEC's text", async () => {
    const resourceFilter = await resource();
    for (const endPoint of [
      undefined,
      "",
      "not a url",
      "ftp://example.com/x",
      "/relative",
      `https://example.com/${"x".repeat(2100)}`,
    ]) {
      const p = await problem(await postJson(SUBS, { endPoint, resourceFilter }, await org("ttd")));
      expect(p.status, String(endPoint)).toBe(400);
      expect(p.detail).toBe("Missing or invalid endpoint to push events towards");
    }
  });

  it("a generic subscription needs a resource filter and the subscribe scope", async () => {
    const p = await problem(
      await postJson(SUBS, { endPoint: ENDPOINT, sourceFilter: "https://example.com/things" }, await org("ttd")),
    );
    expect(p).toMatchObject({ status: 400, detail: "Resource filter is required." });
    const resourceFilter = await resource();
    const noScope = await problem(
      await postJson(SUBS, { endPoint: ENDPOINT, resourceFilter }, await org("ttd", "altinn:events.publish")),
    );
    expect(noScope.status).toBe(403);
  });

  it("answers 401 with Altinn's texts when the policy denies the filters", async () => {
    const resourceFilter = await resource([{ subject: "/org/digdir", actions: ["read"] }]);
    const byResource = await problem(await postJson(SUBS, { endPoint: ENDPOINT, resourceFilter }, await org("digdir")));
    expect(byResource).toMatchObject({
      status: 401,
      detail: `Not authorized to create a subscription for resource ${resourceFilter}`,
    });
    const bySubject = await problem(
      await postJson(
        SUBS,
        { endPoint: ENDPOINT, resourceFilter, subjectFilter: "/org/989271156" },
        await org("digdir"),
      ),
    );
    expect(bySubject).toMatchObject({
      status: 401,
      detail: "Not authorized to create a subscription with subject /org/989271156",
    });
    const unknown = await problem(
      await postJson(
        SUBS,
        { endPoint: ENDPOINT, resourceFilter: "urn:altinn:resource:no-such-thing" },
        await org("ttd"),
      ),
    );
    expect(unknown.status).toBe(401);
  });

  it("app subscriptions: the owning org without the scope, a user only for their own party", async () => {
    const app = await postJson(
      SUBS,
      { endPoint: ENDPOINT, sourceFilter: "https://ttd.apps.altinn.no/ttd/apps-test" },
      await org("ttd", ""),
    );
    expect(app.status).toBe(201);
    expect(await app.json()).toMatchObject({
      resourceFilter: "urn:altinn:resource:app_ttd_apps-test",
      sourceFilter: "https://ttd.apps.altinn.no/ttd/apps-test",
    });

    const user = bearer(await altinnToken({ user: "1337", party: "50001337" }));
    const own = await postJson(
      SUBS,
      { endPoint: ENDPOINT, resourceFilter: "urn:altinn:resource:app_ttd_apps-test", subjectFilter: "/party/50001337" },
      user,
    );
    expect(own.status).toBe(201);
    expect(await own.json()).toMatchObject({ consumer: "/user/1337" });
    const someoneElse = await problem(
      await postJson(
        SUBS,
        {
          endPoint: ENDPOINT,
          resourceFilter: "urn:altinn:resource:app_ttd_apps-test",
          subjectFilter: "/party/50001338",
        },
        user,
      ),
    );
    expect(someoneElse).toMatchObject({
      status: 401,
      detail: "Not authorized to create a subscription with subject /party/50001338",
    });
    const noSubject = await problem(
      await postJson(SUBS, { endPoint: ENDPOINT, resourceFilter: "urn:altinn:resource:app_ttd_apps-test" }, user),
    );
    expect(noSubject).toMatchObject({
      status: 401,
      detail: "Not authorized to create a subscription for resource urn:altinn:resource:app_ttd_apps-test",
    });
    const otherOrg = await problem(
      await postJson(
        SUBS,
        { endPoint: ENDPOINT, sourceFilter: "https://ttd.apps.altinn.no/ttd/apps-test" },
        await org("digdir"),
      ),
    );
    expect(otherOrg.status).toBe(401);
  });

  it("bad input is a 4xx problem, never a 500", async () => {
    const h = await org("ttd");
    expect(
      (await problem(await call(SUBS, { method: "POST", body: JSON.stringify({ endPoint: ENDPOINT }) }))).status,
    ).toBe(401);
    expect((await problem(await postJson(SUBS, "{", h))).status).toBe(400);
    expect((await problem(await postJson(SUBS, [1, 2], h))).status).toBe(400);
    expect((await problem(await postJson(SUBS, { endPoint: ENDPOINT }, h, "text/plain"))).status).toBe(415);
    const wrongType = await problem(await postJson(SUBS, { endPoint: 42, resourceFilter: 7 }, h));
    expect(wrongType.status).toBe(400);
    expect(Object.keys(wrongType.errors ?? {})).toEqual(expect.arrayContaining(["EndPoint", "ResourceFilter"]));
    expect(
      (await problem(await postJson(SUBS, { endPoint: ENDPOINT, resourceFilter: "urn:altinn:resource:UPPER" }, h)))
        .status,
    ).toBe(400);
    expect(
      (
        await problem(
          await postJson(
            SUBS,
            { endPoint: ENDPOINT, resourceFilter: await resource(), sourceFilter: "relative/path" },
            h,
          ),
        )
      ).status,
    ).toBe(400);
  });
});

describe("reading and deleting subscriptions", () => {
  it("lists only the caller's, 404 for unknown and for another's alike, and DELETE removes", async () => {
    const resourceFilter = await resource([{ subject: "/org/digdir", actions: ["subscribe"] }]);
    const ttd = await org("ttd");
    const digdir = await org("digdir");
    const mine = (await (await postJson(SUBS, { endPoint: ENDPOINT, resourceFilter }, ttd)).json()) as { id: number };
    const theirs = (await (await postJson(SUBS, { endPoint: ENDPOINT, resourceFilter }, digdir)).json()) as {
      id: number;
    };

    const list = (await (await call(SUBS, { headers: ttd })).json()) as {
      count: number;
      subscriptions: { id: number; consumer: string }[];
    };
    expect(list.count).toBe(list.subscriptions.length);
    expect(list.subscriptions.map((s) => s.id)).toContain(mine.id);
    expect(list.subscriptions.every((s) => s.consumer === "/org/ttd")).toBe(true);

    expect((await call(`${SUBS}/${mine.id}`, { headers: ttd })).status).toBe(200);
    expect((await problem(await call(`${SUBS}/${theirs.id}`, { headers: ttd }))).status).toBe(404);
    expect((await problem(await call(`${SUBS}/999999999`, { headers: ttd }))).status).toBe(404);
    expect((await problem(await call(`${SUBS}/abc`, { headers: ttd }))).status).toBe(404);
    expect((await problem(await call(`${SUBS}/${theirs.id}`, { method: "DELETE", headers: ttd }))).status).toBe(404);

    expect((await call(`${SUBS}/${mine.id}`, { method: "DELETE", headers: ttd })).status).toBe(200);
    expect((await problem(await call(`${SUBS}/${mine.id}`, { headers: ttd }))).status).toBe(404);
    expect((await problem(await call(`${SUBS}/${mine.id}/deliveries`, { headers: ttd }))).status).toBe(404);
  });

  it("deliveries, redeliver and recover validate their input", async () => {
    const resourceFilter = await resource();
    const ttd = await org("ttd");
    const { id } = (await (await postJson(SUBS, { endPoint: ENDPOINT, resourceFilter }, ttd)).json()) as { id: number };
    const empty = await call(`${SUBS}/${id}/deliveries`, { headers: ttd });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ count: 0, deliveries: [] });
    expect(empty.headers.get("next")).toBeNull();
    expect((await problem(await call(`${SUBS}/${id}/deliveries?status=lost`, { headers: ttd }))).status).toBe(400);
    expect((await problem(await call(`${SUBS}/${id}/deliveries?size=0`, { headers: ttd }))).status).toBe(400);
    expect(
      (await problem(await call(`${SUBS}/${id}/deliveries?after=vc1.no-such-cursor`, { headers: ttd }))).status,
    ).toBe(400);
    expect((await problem(await call(`${SUBS}/${id}/recover`, { method: "POST", headers: ttd }))).status).toBe(400);
    expect(
      (await problem(await call(`${SUBS}/${id}/recover?since=yesterday`, { method: "POST", headers: ttd }))).status,
    ).toBe(400);
    const recovered = await call(`${SUBS}/${id}/recover?since=2020-01-01T00:00:00Z`, { method: "POST", headers: ttd });
    expect(recovered.status).toBe(202);
    expect(await recovered.json()).toEqual({ queued: 0 });
    expect(
      (await problem(await call(`${SUBS}/${id}/deliveries/nope/redeliver`, { method: "POST", headers: ttd }))).status,
    ).toBe(404);
  });
});
