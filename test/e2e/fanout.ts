// A fan-out on a running Varsel for the crash test and the chaos scenarios: N subscriptions to one
// resource, events published to it, and a tally of which (subscription, event) pushes arrived.
import { token, waitFor } from "./harness.ts";
import { varselClient, type Receiver } from "./receiver.ts";

export interface FanOut {
  resource: string;
  subscriptionIds: number[];
  publisher: string;
  subscriber: string;
}

/** Creates the resource and one validated subscription per endpoint. */
export async function setUpFanOut(base: string, endpoints: string[], name = `fan-${Date.now()}`): Promise<FanOut> {
  const api = varselClient(base);
  const [admin, publisher, subscriber] = await Promise.all([
    token({ org: "digdir", scope: "varsel:admin" }),
    token({ org: "ttd", scope: "altinn:events.publish" }),
    token({ org: "digdir", scope: "altinn:events.subscribe" }),
  ]);
  await api.putResource(admin, name, "ttd", [{ subject: "/org/digdir", actions: ["subscribe"] }]);
  const resource = `urn:altinn:resource:${name}`;
  const subscriptionIds: number[] = [];
  for (const endPoint of endpoints) {
    const r = await api.subscribe(subscriber, { endPoint, resourceFilter: resource });
    if (r.status !== 201) throw new Error(`subscribe: ${r.status} ${JSON.stringify(r.body)}`);
    subscriptionIds.push(r.body.id);
  }
  for (const id of subscriptionIds) {
    await waitFor(
      async () => (await api.get(subscriber, `/events/api/v1/subscriptions/${id}`)).body.validated,
      90_000,
      `subscription ${id} validated`,
    );
  }
  return { resource, subscriptionIds, publisher, subscriber };
}

/** Publishes `n` events (a few at a time); resolves with their ids once every publish answered 200. */
export async function publishMany(
  base: string,
  f: FanOut,
  n: number,
  opts: { parallel?: number; ids?: string[] } = {},
): Promise<string[]> {
  const api = varselClient(base);
  const ids = opts.ids ?? Array.from({ length: n }, () => crypto.randomUUID());
  const parallel = opts.parallel ?? 5;
  for (let i = 0; i < ids.length; i += parallel) {
    await Promise.all(
      ids
        .slice(i, i + parallel)
        .map((id) =>
          api.publish(f.publisher, { id, type: "fan.out", source: "https://fan.example/out", resource: f.resource }),
        ),
    );
  }
  return ids;
}

export interface Tally {
  expected: number;
  received: number;
  missing: number;
  duplicated: number;
}

/** Distinct (subscription, event) pairs pushed, against every subscription × every event. */
export function tally(receivers: Receiver[], f: FanOut, eventIds: string[]): Tally {
  const wanted = new Set(eventIds);
  const subs = new Set(f.subscriptionIds.map(String));
  const seen = new Map<string, number>();
  for (const rx of receivers) {
    for (const p of rx.pushes()) {
      const sub = String(p.headers["webhook-id"] ?? "").split("-")[0]!;
      if (!subs.has(sub) || !wanted.has(String(p.json.id))) continue;
      const key = `${sub}/${p.json.id}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }
  const expected = subs.size * wanted.size;
  const duplicated = [...seen.values()].reduce((a, n) => a + n - 1, 0);
  return { expected, received: seen.size, missing: expected - seen.size, duplicated };
}
