// Issue 10 point 5: the read, push and party-read contracts (SPEC §4.3, §4.5) with many resources
// publishing at once, interleaved, so each resource's events are spread over the log between other
// resources' events. Written against the HTTP API only, so they hold for any partitioning of the log.
import { describe, expect, it } from "vitest";
import { putResource } from "../helpers/admin";
import { deliveries, poll, validatedSubscription } from "../helpers/delivery";
import { BASE, call, postJson } from "../helpers/http";
import { altinnToken, bearer, platformToken } from "../helpers/tokens";

type Headers = Record<string, string>;

/** Follows `next` links from `first` until an empty page; returns the ids in order. */
async function readAll(first: string, headers: Headers): Promise<string[]> {
  const ids: string[] = [];
  let url: string | null = first;
  while (url) {
    const res: Response = await call(url.replace(BASE, ""), { headers });
    expect(res.status).toBe(200);
    const page = await res.json<{ id: string }[]>();
    ids.push(...page.map((e) => e.id));
    url = page.length ? res.headers.get("next") : null;
  }
  return ids;
}

async function publishTo(resource: string, headers: Headers, n: number): Promise<string> {
  const id = crypto.randomUUID();
  const res = await postJson(
    "/events/api/v1/events",
    { id, type: "it.spread", source: `https://it.example/spread/${n}`, specversion: "1.0", resource },
    headers,
    "application/cloudevents+json",
  );
  expect(res.status).toBe(200);
  return id;
}

describe("contracts with events of many resources interleaved (issue 10 point 5)", { timeout: 120_000 }, () => {
  it("each resource reads exactly its own events in publish order, paged with no gap and no duplicate, and reads its writes at once", async () => {
    const headers = bearer(await altinnToken({ org: "ttd", scope: "altinn:events.publish altinn:events.subscribe" }));
    const resources = Array.from({ length: 6 }, (_, i) => `it-spread-${i}-${crypto.randomUUID().slice(0, 6)}`);
    for (const r of resources) await putResource(r, "ttd");
    const urns = resources.map((r) => `urn:altinn:resource:${r}`);
    const published = new Map<string, string[]>(urns.map((u) => [u, []]));
    const cursors = new Map<string, string>(urns.map((u) => [u, "0"]));
    for (let round = 0; round < 5; round++) {
      // All resources publish at once; within a resource, one after the other.
      await Promise.all(
        urns.map(async (urn, i) => {
          for (let k = 0; k <= (i + round) % 3; k++) {
            const id = await publishTo(urn, headers, round * 10 + k);
            published.get(urn)!.push(id);
            // Read-your-writes: the next page after the last cursor holds the event just published.
            const res = await call(
              `/events/api/v1/events?resource=${encodeURIComponent(urn)}&after=${cursors.get(urn)}&size=1000`,
              { headers },
            );
            const page = await res.json<{ id: string }[]>();
            expect(page.map((e) => e.id)).toContain(id);
          }
        }),
      );
    }
    for (const urn of urns) {
      const ids = await readAll(`/events/api/v1/events?resource=${encodeURIComponent(urn)}&after=0&size=2`, headers);
      expect(ids).toEqual(published.get(urn));
    }
  });

  it("/app/party reads one party's events across every app in publish order, paged while others keep publishing", async () => {
    const party = String(50_100_000 + Math.floor(Math.random() * 100_000));
    const apps = ["spread-a", "spread-b", "spread-c", "spread-d"];
    const org = bearer(await altinnToken({ org: "ttd" }));
    const pats = new Map<string, string>();
    for (const app of apps) pats.set(app, await platformToken("ttd", app));
    const appEvent = async (app: string, p: string) => {
      const res = await postJson(
        "/events/api/v1/app",
        {
          type: "app.instance.created",
          source: `https://ttd.apps.example/ttd/${app}/instances/${p}/${crypto.randomUUID()}`,
          subject: `/party/${p}`,
          specversion: "1.0",
        },
        { ...org, platformaccesstoken: pats.get(app)! },
      );
      expect(res.status).toBe(201);
      return res.json<string>();
    };
    const user = bearer(await altinnToken({ user: "42", party }));
    const mine: string[] = [];
    for (let i = 0; i < 12; i++) {
      mine.push(await appEvent(apps[i % apps.length]!, party));
      await appEvent(apps[(i + 1) % apps.length]!, "50099999"); // another party, in between
    }
    // Page through with size 5; more of the party's events are published between the pages.
    const seen: string[] = [];
    let url: string | null = `/events/api/v1/app/party?after=0&party=${party}&size=5`;
    let extra = 0;
    while (url) {
      const res: Response = await call(url.replace(BASE, ""), { headers: user });
      expect(res.status).toBe(200);
      const page = await res.json<{ id: string }[]>();
      seen.push(...page.map((e) => e.id));
      url = page.length ? res.headers.get("next") : null;
      if (extra < 3) {
        mine.push(await appEvent(apps[extra % apps.length]!, party));
        extra++;
      }
    }
    expect(seen).toEqual(mine);
  });

  it("each subscription is handed exactly its own resource's events, first attempts in publish order", async () => {
    const subs = [];
    for (let i = 0; i < 5; i++) subs.push(await validatedSubscription(0));
    const published = new Map<number, string[]>(subs.map((s) => [s.id, []]));
    await Promise.all(
      subs.map(async (s, i) => {
        for (let k = 0; k < 4 + i; k++) published.get(s.id)!.push(await publishTo(s.resource, s.headers, k));
      }),
    );
    for (const s of subs) {
      const want = published.get(s.id)!;
      const list = await poll(
        async () => {
          const l = await deliveries(s.id, s.headers);
          return l.length >= want.length && l.every((d) => d.attempts.length >= 1) ? l : null;
        },
        `first attempts of subscription ${s.id}`,
        30_000,
      );
      // Newest first in the listing; the first attempts were made in publish order.
      expect(list.map((d) => d.eventId).reverse()).toEqual(want);
      const firstAttempts = [...list].reverse().map((d) => d.attempts.find((a) => a.attempt === 1)!.time);
      expect(firstAttempts).toEqual([...firstAttempts].sort());
    }
  });
});
