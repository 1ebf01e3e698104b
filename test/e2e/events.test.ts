import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, platformToken, startVarsel, token, type Varsel } from "./harness";

let varsel: Varsel;
beforeAll(async () => {
  varsel = await startVarsel();
});
afterAll(async () => {
  await varsel?.stop();
});

describe("events against wrangler dev", () => {
  it("publishes with a token from `npm run token` and reads it back at once, paging with next", async () => {
    const publisher = execFileSync(
      "npm",
      ["run", "--silent", "token", "--", "--org", "ttd", "--scope", "altinn:events.publish altinn:events.subscribe"],
      { cwd: ROOT, encoding: "utf8" },
    ).trim();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = crypto.randomUUID();
      ids.push(id);
      const res = await fetch(`${varsel.base}/events/api/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${publisher}`, "content-type": "application/cloudevents+json" },
        body: JSON.stringify({
          id,
          type: "demo.created",
          source: `https://example.com/cases/${i}`,
          specversion: "1.0",
          resource: "urn:altinn:resource:ttd-demo-events",
        }),
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("");
    }
    const seen: string[] = [];
    let url: string | null =
      `${varsel.base}/events/api/v1/events?resource=urn:altinn:resource:ttd-demo-events&after=0&size=2`;
    while (url) {
      const res: Response = await fetch(url, { headers: { authorization: `Bearer ${publisher}` } });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { id: string }[];
      seen.push(...page.map((e) => e.id));
      url = page.length ? res.headers.get("next") : null;
      if (url) expect(url.startsWith(varsel.base)).toBe(true);
    }
    expect(seen).toEqual(ids);
  });

  it("publishes an app event with a Platform Access Token and the org reads it", async () => {
    const altinn = await token({ org: "ttd" });
    const res = await fetch(`${varsel.base}/events/api/v1/app`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${altinn}`,
        platformaccesstoken: await platformToken("ttd", "apps-test"),
        "content-type": "application/json",
      },
      body: JSON.stringify({
        type: "app.instance.created",
        source: "https://ttd.apps.example/ttd/apps-test/instances/50019855/3fa85f64-5717-4562-b3fc-2c963f66afa6",
        subject: "/party/50019855",
        specversion: "1.0",
      }),
    });
    expect(res.status).toBe(201);
    const id = await res.json();
    const read = await fetch(`${varsel.base}/events/api/v1/app/ttd/apps-test?after=0`, {
      headers: { authorization: `Bearer ${altinn}` },
    });
    const events = (await read.json()) as { id: string; resource: string }[];
    expect(events.map((e) => e.id)).toContain(id);
    expect(events[0]!.resource).toBe("urn:altinn:resource:app_ttd_apps-test");
  });

  it("mints an already expired token with `--expires-in -60`, which Varsel refuses with 401", async () => {
    const expired = execFileSync(
      "npm",
      ["run", "--silent", "token", "--", "--org", "ttd", "--scope", "altinn:events.subscribe", "--expires-in", "-60"],
      { cwd: ROOT, encoding: "utf8" },
    ).trim();
    const res = await fetch(
      `${varsel.base}/events/api/v1/events?resource=urn:altinn:resource:ttd-demo-events&after=0`,
      { headers: { authorization: `Bearer ${expired}` } },
    );
    expect(res.status).toBe(401);
  });

  it("serves the OpenAPI document and health", async () => {
    const doc = (await (await fetch(`${varsel.base}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/events/api/v1/events");
    expect((await fetch(`${varsel.base}/health`)).status).toBe(200);
  });
});
