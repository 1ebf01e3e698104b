// Caller strings that SQLite evaluates as patterns (GLOB) are escaped and bounded (issue 7 §1).
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { putResource } from "../helpers/admin";
import { limitedD1 } from "../helpers/d1-limits";
import { call, callWithEnv, postJson, problem } from "../helpers/http";
import { altinnToken, bearer, platformToken } from "../helpers/tokens";

const RES = "urn:altinn:resource:hostile-patterns";
let h: Record<string, string>;
const LONG_TYPE = "a".repeat(3000);

beforeAll(async () => {
  await putResource("hostile-patterns", "ttd");
  h = bearer(await altinnToken({ org: "ttd", scope: "altinn:events.publish altinn:events.subscribe" }));
  for (const type of [LONG_TYPE, `${LONG_TYPE}!`, "x*y", "x?y", "x[y]"]) {
    const e = { id: crypto.randomUUID(), type, source: "https://hostile.example/1", specversion: "1.0", resource: RES };
    expect((await postJson("/events/api/v1/events", e, h)).status).toBe(200);
  }
});

const types = async (q: string) => {
  const res = await call(`/events/api/v1/events?resource=${RES}&after=0&${q}`, { headers: h });
  expect(res.status).toBe(200);
  return (await res.json<{ type: string }[]>()).map((e) => e.type.slice(0, 8) + (e.type.endsWith("!") ? "!" : ""));
};

describe("type filters", () => {
  it("a pathological pattern within the bound answers correctly", async () => {
    expect(await types(`type=${encodeURIComponent("%a%a%a%a%a%a%a%!")}`)).toEqual(["aaaaaaaa!"]);
  });

  it("more wildcards than the bound is a 400 problem, not work", async () => {
    const res = await call(
      `/events/api/v1/events?resource=${RES}&after=0&type=${encodeURIComponent(`${"%a".repeat(12)}%!`)}`,
      { headers: h },
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(await problem(res))).toContain("at most 8 '%' wildcards");
  });

  it("GLOB's own specials are literal", async () => {
    expect(await types("type=x*y")).toEqual(["x*y"]);
    expect(await types("type=x%3Fy")).toEqual(["x?y"]);
    expect(await types("type=x[y]")).toEqual(["x[y]"]);
    expect(await types("type=x*")).toEqual([]);
  });
});

describe("the /app/party source filter", () => {
  it("is bounded the same way", async () => {
    const user = bearer(await altinnToken({ user: "64001", party: "64001" }));
    const src = encodeURIComponent("https://%a".repeat(10));
    const res = await call(`/events/api/v1/app/party?after=0&party=64001&source=${src}`, { headers: user });
    expect(res.status).toBe(400);
    const ok = await call(`/events/api/v1/app/party?after=0&party=64001&source=${encodeURIComponent("https://%")}`, {
      headers: user,
    });
    expect(ok.status).toBe(200);
  });
});

describe("D1's 50-byte LIKE/GLOB pattern limit", () => {
  // Calls through a D1 that refuses a GLOB/LIKE pattern over 50 bytes, as Cloudflare's D1 does.
  const limited = (path: string, headers: Record<string, string>) =>
    callWithEnv({ DB: limitedD1(env.DB) as unknown as string }, path, { headers });

  it("a long exact type or source (no %) is compared with =, and found", async () => {
    const type = `no.altinn.${"b".repeat(80)}`;
    const e = { id: crypto.randomUUID(), type, source: "https://hostile.example/1", specversion: "1.0", resource: RES };
    expect((await postJson("/events/api/v1/events", e, h)).status).toBe(200);
    const exact = await limited(`/events/api/v1/events?resource=${RES}&after=0&type=${type}`, h);
    expect(exact.status).toBe(200);
    expect((await exact.json<{ type: string }[]>()).map((e) => e.type)).toEqual([type]);

    const guid = crypto.randomUUID();
    const source = `https://ttd.apps.example/ttd/long-source-app/instances/50006161/${guid}`;
    expect(new TextEncoder().encode(source).length).toBeGreaterThan(50);
    const pub = await postJson(
      "/events/api/v1/app",
      { type: "app.instance.created", source, subject: "/party/50006161", specversion: "1.0" },
      {
        ...bearer(await altinnToken({ org: "ttd" })),
        platformaccesstoken: await platformToken("ttd", "long-source-app"),
      },
    );
    expect(pub.status).toBe(201);
    const user = bearer(await altinnToken({ user: "6161", party: "50006161" }));
    const res = await limited(
      `/events/api/v1/app/party?after=0&party=50006161&source=${encodeURIComponent(source)}`,
      user,
    );
    expect(res.status).toBe(200);
    expect((await res.json<{ source: string }[]>()).map((e) => e.source)).toEqual([source]);
  });

  it("a wildcard pattern over 50 bytes is a 400 problem that says so, not a 500", async () => {
    const long = encodeURIComponent(`${"a".repeat(60)}%`);
    const res = await limited(`/events/api/v1/events?resource=${RES}&after=0&type=${long}`, h);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await problem(res))).toContain("at most 50 bytes");
    const user = bearer(await altinnToken({ user: "6161", party: "50006161" }));
    const src = encodeURIComponent("https://ttd.apps.example/ttd/long-source-app/instances/%");
    const bad = await limited(`/events/api/v1/app/party?after=0&party=50006161&source=${src}`, user);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await problem(bad))).toContain("at most 50 bytes");
  });
});
