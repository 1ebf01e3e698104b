import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { buildRouter } from "../../src/app";
import type { AppContext } from "../../src/http/context";
import { HttpFailure } from "../../src/http/problem";
import { call, problem } from "../helpers/http";

const router = buildRouter();

/** The dev sign-in route as `npm start` configures it: the dev key set, called on localhost. */
async function devRoute(path: string, init: RequestInit, vars: Partial<typeof env>, host = "http://localhost:8787") {
  const url = new URL(path, host);
  const app: AppContext = {
    env: { ...env, ...vars },
    exec: {} as ExecutionContext,
    traceId: "00-0-0-00",
    url,
    baseUrl: url.origin,
    now: () => new Date(),
  };
  try {
    return (await router.fetch(new Request(url, init), app)) as Response | undefined;
  } catch (e) {
    if (e instanceof HttpFailure) return e.failure;
    throw e;
  }
}

describe("console assets", () => {
  it("serves the console at / with a strict Content-Security-Policy and no inline script", async () => {
    const res = await call("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    expect(html).toContain('<div id="root">');
    // Every script is an external file from this origin.
    for (const tag of html.match(/<script[^>]*>[^<]*<\/script>/g) ?? [])
      expect(tag).toMatch(/<script[^>]* src="\/[^"]+"[^>]*><\/script>/);
  });

  it("serves the API reference page at /docs, loading Scalar from its own assets", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('src="/vendor/scalar-standalone.js"');
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("content-security-policy")).not.toContain("unsafe-eval");
    const bundle = await call("/vendor/scalar-standalone.js");
    expect(bundle.status).toBe(200);
    await bundle.arrayBuffer();
  });

  it("leaves the API's own answers alone: /health, /openapi.json and an unknown path's problem+json 404", async () => {
    expect((await call("/health")).status).toBe(200);
    expect((await call("/openapi.json")).headers.get("content-type")).toContain("application/json");
    const missing = await call("/events/api/v1/nothing-here");
    expect(missing.status).toBe(404);
    expect((await problem(missing)).status).toBe(404);
    expect((await call("/no-such-page")).status).toBe(404);
  });

  it("puts a policy that forbids scripts and framing on every answer: API JSON, problems, missing assets", async () => {
    for (const path of ["/health", "/openapi.json", "/assets/no-such-file.js", "/no-such-page", "/docs/nothing"]) {
      const res = await call(path, { headers: { accept: "text/html" } });
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain("unsafe-inline");
      if (res.status === 404) expect(csp, path).toContain("default-src 'none'");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      await res.arrayBuffer();
    }
    // The console's own pages keep their own policy (styles from this origin), not the API's.
    const page = await call("/");
    expect(page.headers.get("content-security-policy")).toContain("style-src 'self'");
    await page.arrayBuffer();
  });
});

describe("dev sign-in", () => {
  it("is absent without the dev key: the config says so and the route is a 404", async () => {
    const config = await call("/console/api/config");
    expect(await config.json()).toEqual({ devSignIn: false });
    const res = await call("/console/api/dev-token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ org: "ttd" }),
    });
    expect(res.status).toBe(404);
    await problem(res);
  });

  it("with the dev key on localhost mints a token the API accepts, for the chosen org and scopes", async () => {
    const vars = { DEV_SIGNING_JWK: env.TEST_PRIVATE_JWK };
    const config = (await devRoute("/console/api/config", {}, vars)) as Response;
    expect(await config.json()).toEqual({ devSignIn: true });
    const res = (await devRoute(
      "/console/api/dev-token",
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ org: "ttd", scopes: ["altinn:events.subscribe"] }),
      },
      vars,
    )) as Response;
    expect(res.status).toBe(200);
    const { token } = await res.json<{ token: string }>();
    const subs = await call("/events/api/v1/subscriptions", { headers: { authorization: `Bearer ${token}` } });
    expect(subs.status).toBe(200);
    const admin = await call("/admin/api/v1/resources/anything", { headers: { authorization: `Bearer ${token}` } });
    expect(admin.status).toBe(403);
  });

  it("with the dev key but called on a non-loopback host is still absent", async () => {
    const res = await devRoute(
      "/console/api/dev-token",
      { method: "POST", headers: { "content-type": "application/json" }, body: "{}" },
      { DEV_SIGNING_JWK: env.TEST_PRIVATE_JWK },
      "https://varsel.example",
    );
    expect(res).toBeUndefined();
  });

  it("stays absent on a localhost Host header when the client is not this machine (CF-Connecting-IP)", async () => {
    const vars = { DEV_SIGNING_JWK: env.TEST_PRIVATE_JWK };
    const spoofed = await devRoute(
      "/console/api/dev-token",
      {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": "203.0.113.9" },
        body: JSON.stringify({ org: "ttd" }),
      },
      vars,
    );
    expect(spoofed).toBeUndefined();
    const config = (await devRoute(
      "/console/api/config",
      { headers: { "cf-connecting-ip": "203.0.113.9" } },
      vars,
    )) as Response;
    expect(await config.json()).toEqual({ devSignIn: false });
  });

  it("refuses a page of another origin (another local port) that tries to mint a token", async () => {
    const res = await devRoute(
      "/console/api/dev-token",
      {
        method: "POST",
        headers: { "content-type": "application/json", origin: "http://localhost:3000" },
        body: JSON.stringify({ org: "ttd", scopes: ["varsel:admin"] }),
      },
      { DEV_SIGNING_JWK: env.TEST_PRIVATE_JWK },
    );
    expect(res).toBeUndefined();
  });

  it("refuses a scope it does not know", async () => {
    const res = await devRoute(
      "/console/api/dev-token",
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ org: "ttd", scopes: ["root"] }),
      },
      { DEV_SIGNING_JWK: env.TEST_PRIVATE_JWK },
    );
    expect(res).toMatchObject({ kind: "validation" });
  });
});
