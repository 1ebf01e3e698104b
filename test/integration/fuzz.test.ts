/**
 * Malformed input at every foundation route: whatever arrives, the answer is a 4xx problem+json
 * (never a 500, never a stack trace), and what was stored before is still there, unchanged.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { adminHeaders, putResource } from "../helpers/admin";
import { call } from "../helpers/http";
import { altinnToken, bearer, platformToken } from "../helpers/tokens";

/** A small deterministic generator (mulberry32) so a failure is reproducible from its seed. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_STRINGS = [
  "",
  " ",
  "\u0000",
  "💥".repeat(1000),
  "a".repeat(70_000),
  "%",
  "%%%",
  "../../etc/passwd",
  "<script>",
  "urn:altinn:resource:",
  "urn:altinn:resource:" + "x".repeat(500),
  "\ud800",
  "null",
  "0",
  "-1",
  "1e309",
  "/party/",
  "/person/abc",
];

function value(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * 9);
  if (depth > 3) return ODD_STRINGS[Math.floor(r() * ODD_STRINGS.length)];
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() > 0.5;
    case 2:
      return Math.floor(r() * 1e12) * (r() > 0.5 ? -1 : 1);
    case 3:
      return r() * 1e308;
    case 4:
      return [value(r, depth + 1), value(r, depth + 1)];
    case 5:
      return { [ODD_STRINGS[Math.floor(r() * ODD_STRINGS.length)]!.slice(0, 30)]: value(r, depth + 1) };
    default:
      return ODD_STRINGS[Math.floor(r() * ODD_STRINGS.length)];
  }
}

const FIELDS = [
  "id",
  "type",
  "source",
  "specversion",
  "resource",
  "time",
  "subject",
  "alternativesubject",
  "data",
  "data_base64",
  "owner",
  "title",
  "grants",
  "BadName",
  "dataschema",
];

function mutatedBody(r: () => number): string {
  const k = r();
  if (k < 0.15)
    return ['{"id": 1,', "{", "[", '{"a":}', "nul", '"just a string"', "{}}", "\u0000", "[".repeat(200)][
      Math.floor(r() * 9)
    ]!;
  const body: Record<string, unknown> = {
    id: "x",
    type: "t",
    source: "https://example.com",
    specversion: "1.0",
    resource: "urn:altinn:resource:fuzz-victim",
    owner: "ttd",
    title: "t",
    grants: [],
  };
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const f = FIELDS[Math.floor(r() * FIELDS.length)]!;
    if (r() < 0.3) delete body[f];
    else body[f] = value(r);
  }
  return JSON.stringify(r() < 0.1 ? [body] : body);
}

let headers: Record<string, string>;
let snapshot: string;
const snapshotOf = async () =>
  JSON.stringify((await env.DB.prepare("SELECT seq, id, source, cloudevent FROM events ORDER BY seq").all()).results) +
  JSON.stringify((await env.DB.prepare("SELECT * FROM resources WHERE id = 'fuzz-victim'").all()).results);

beforeAll(async () => {
  await putResource("fuzz-victim", "ttd", [{ subject: "/org/digdir", actions: ["read"] }], "Must survive");
  headers = {
    ...bearer(await altinnToken({ org: "ttd", scope: "altinn:events.publish altinn:events.subscribe varsel:admin" })),
    platformaccesstoken: await platformToken("ttd", "apps-test"),
  };
  snapshot = await snapshotOf();
});

describe("fuzzing the foundation routes", () => {
  it("answers every malformed write with a 4xx problem and changes nothing", async () => {
    const r = rng(20261122);
    const routes = [
      { method: "POST", path: "/events/api/v1/events", type: "application/cloudevents+json" },
      { method: "POST", path: "/events/api/v1/app", type: "application/json" },
      { method: "PUT", path: "/admin/api/v1/resources/fuzz-target", type: "application/json" },
    ];
    for (let i = 0; i < 300; i++) {
      const route = routes[i % routes.length]!;
      const body = mutatedBody(r);
      const res = await call(route.path, {
        method: route.method,
        headers: { ...headers, "content-type": r() < 0.9 ? route.type : "text/xml" },
        body,
      });
      const text = await res.text();
      // A fuzzed body may happen to be valid; then it must be a success, never a 5xx.
      expect(
        res.status,
        `case ${i}: ${route.method} ${route.path} ${body.slice(0, 200)} -> ${text.slice(0, 300)}`,
      ).toBeLessThan(500);
      if (res.status >= 400) {
        expect(res.headers.get("content-type")).toContain("application/problem+json");
        expect(text).not.toMatch(/at .*\.ts:\d+|Error:|stack/i);
        expect(text).not.toContain(headers.authorization!.slice(7));
      }
    }
  });

  it("answers every malformed read with a 4xx problem", async () => {
    const r = rng(7);
    const params = [
      "resource",
      "after",
      "subject",
      "alternativesubject",
      "type",
      "size",
      "from",
      "to",
      "party",
      "unit",
      "source",
    ];
    const paths = [
      "/events/api/v1/events",
      "/events/api/v1/app/ttd/apps-test",
      "/events/api/v1/app/party",
      "/events/api/v1/app/%F0%9F%92%A5/x",
      "/admin/api/v1/resources/%00",
    ];
    for (let i = 0; i < 200; i++) {
      const q = new URLSearchParams();
      const n = Math.floor(r() * 5);
      for (let j = 0; j < n; j++) q.append(params[Math.floor(r() * params.length)]!, String(value(r)).slice(0, 3000));
      const res = await call(`${paths[i % paths.length]}?${q}`, {
        headers: {
          ...headers,
          person: String(value(r))
            .slice(0, 100)
            .replace(/[^\x20-\x7e]/g, ""),
        },
      });
      expect(res.status, `${paths[i % paths.length]}?${q.toString().slice(0, 300)}`).toBeLessThan(500);
      await res.arrayBuffer();
    }
  });

  it("left the stored data intact", async () => {
    // Successful fuzz publishes may have added events, but none that existed before changed or vanished.
    const now = await snapshotOf();
    const before = JSON.parse(snapshot.slice(0, snapshot.lastIndexOf("][") + 1)) as unknown[];
    const after = JSON.parse(now.slice(0, now.lastIndexOf("][") + 1)) as unknown[];
    expect(after.slice(0, before.length)).toEqual(before);
    expect(now.slice(now.lastIndexOf("][") + 1)).toBe(snapshot.slice(snapshot.lastIndexOf("][") + 1));
  });

  it("never answers 500 to unknown routes and methods", async () => {
    for (const [method, path] of [
      ["GET", "/nope"],
      ["PATCH", "/events/api/v1/events"],
      ["DELETE", "/events/api/v1/events"],
      ["GET", "/admin/api/v1/resources/"],
    ] as const) {
      const res = await call(path, { method, headers: await adminHeaders() });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});
