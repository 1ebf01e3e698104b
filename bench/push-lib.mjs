// Helpers for the figures that push: a loopback receiver that tells when pushes arrived, bench
// resources and subscriptions, and the "Varsel is idle" wait every baseline starts after.
import { startReceiver, varselClient } from "../test/e2e/receiver.ts";
import { interleaved, pairCount, percentile, report, sleep, startVarsel, ticker, token, waitFor } from "./lib.mjs";

export { varselClient };

/**
 * A real receiver on 127.0.0.1 answering 200 at once. `wait(id, n)` resolves with the arrival
 * times (performance.now()) once `n` requests carrying CloudEvent id `id` arrived; `distinct` counts
 * the different ids seen; `lastArrival` is when the latest one arrived.
 */
export async function benchReceiver() {
  const seen = new Map();
  const waiting = new Map();
  const state = { lastArrival: performance.now() };
  const rx = await startReceiver({
    onPush: (r) => {
      const id = r.json.id;
      state.lastArrival = r.at;
      const list = seen.get(id) ?? [];
      list.push(r.at);
      seen.set(id, list);
      const w = waiting.get(id);
      if (w && list.length >= w.count) {
        waiting.delete(id);
        w.resolve(list);
      }
    },
  });
  return {
    url: rx.url,
    close: () => rx.close(),
    distinct: () => seen.size,
    lastArrival: () => state.lastArrival,
    forget: () => seen.clear(),
    wait: (id, count, timeoutMs = 300_000) =>
      new Promise((resolve, reject) => {
        const have = seen.get(id) ?? [];
        if (have.length >= count) return resolve(have);
        const t = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`only ${(seen.get(id) ?? []).length}/${count} pushes of ${id} arrived`));
        }, timeoutMs);
        waiting.set(id, {
          count,
          resolve: (v) => {
            clearTimeout(t);
            resolve(v);
          },
        });
      }),
  };
}

/** Waits until nothing has arrived at the receiver for `quietMs`: the pushes' tail is over. */
export async function quiet(receiver, quietMs = 1000) {
  while (performance.now() - receiver.lastArrival() < quietMs) await sleep(100);
}

export async function tokens() {
  return {
    admin: await token({ org: "digdir", scope: "varsel:admin" }),
    publisher: await token({ org: "ttd", scope: "altinn:events.publish altinn:events.subscribe" }),
  };
}

/** A resource of ttd's with `count` validated subscriptions pushing to `url`. */
export async function subscribedResource(api, { admin, publisher }, id, count, url) {
  await api.putResource(admin, id, "ttd", []);
  const resource = `urn:altinn:resource:${id}`;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(count, 8) }, async () => {
      while (next < count) {
        const i = next++;
        const s = await api.subscribe(publisher, { endPoint: `${url}?r=${id}&s=${i}`, resourceFilter: resource });
        if (s.status !== 201) throw new Error(`subscribe: ${s.status} ${JSON.stringify(s.body)}`);
      }
    }),
  );
  await waitFor(
    async () => {
      const list = (await api.get(publisher, "/events/api/v1/subscriptions")).body.subscriptions.filter(
        (s) => s.resourceFilter === resource,
      );
      if (list.length === count && list.every((s) => s.validated)) return true;
      await sleep(1000);
      return false;
    },
    600_000,
    `${count} validated subscriptions on ${id}`,
  );
  return resource;
}

/**
 * One push figure in interleaved pairs. Varsel: `subs` subscriptions on their own resource, `events`
 * events published one at a time, each after the previous one's pushes all arrived; latency from the
 * start of the POST /events call to each receipt ("each") or to the last receipt of an event ("last").
 * Baseline, with Varsel idle: the same body POSTed by Node straight to the same receiver, `subs`
 * POSTs at once per event. Each side's value is the p99 of its samples in that pair.
 */
export async function pushFigure({
  figure,
  resourceId,
  subs,
  events,
  warmup,
  measure,
  goal,
  varselLabel,
  baselineLabel,
}) {
  const pairs = pairCount();
  const varsel = await startVarsel({ MAX_SUBSCRIPTIONS_PER_CONSUMER: String(Math.max(100, subs + 10)) });
  const cron = ticker(varsel.base, 60);
  const receiver = await benchReceiver();
  try {
    const t = await tokens();
    const api = varselClient(varsel.base);
    const resource = await subscribedResource(api, t, resourceId, subs, receiver.url);
    let n = 0;
    const event = () => ({
      id: crypto.randomUUID(),
      type: "bench.push",
      source: `https://bench.example/items/${n++}`,
      resource,
      subject: "/party/1",
      data: { note: "benchmark" },
    });
    const sample = (ats, t0) => (measure === "each" ? ats.map((at) => at - t0) : [Math.max(...ats) - t0]);

    const varselRun = async (count) => {
      cron.resume();
      const samples = [];
      for (let i = 0; i < count; i++) {
        const e = event();
        const t0 = performance.now();
        await api.publish(t.publisher, e);
        samples.push(...sample(await receiver.wait(e.id, subs), t0));
      }
      await quiet(receiver); // nothing left in flight (a retry or duplicate would show up here)
      await cron.pause();
      return { value: percentile(samples, 99), p50: percentile(samples, 50), n: samples.length };
    };
    const directRun = async (count) => {
      const samples = [];
      for (let i = 0; i < count; i++) {
        const e = { specversion: "1.0", time: new Date().toISOString(), ...event() };
        const body = JSON.stringify(e);
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: subs }, async (_, s) => {
            const r = await fetch(`${receiver.url}?r=direct&s=${s}`, {
              method: "POST",
              headers: { "content-type": "application/cloudevents+json" },
              body,
            });
            await r.arrayBuffer();
          }),
        );
        samples.push(...sample(await receiver.wait(e.id, subs), t0));
      }
      return { value: percentile(samples, 99), p50: percentile(samples, 50), n: samples.length };
    };
    if (warmup) {
      await varselRun(warmup);
      await directRun(warmup);
    }
    const rows = await interleaved({ pairs, varsel: () => varselRun(events), baseline: () => directRun(events) });
    console.log(
      `\n${subs} subscription(s), ${events} event(s) per side and pair, ${pairs} interleaved pairs; wrangler dev on this machine`,
    );
    return report({
      figure,
      unit: "ms",
      varselLabel,
      baselineLabel,
      rows,
      difference: true,
      goal,
      extra: [
        ["Varsel p50", (r) => r.v.p50],
        ["baseline p50", (r) => r.b.p50],
        ["samples", (r) => r.v.n],
      ],
    });
  } finally {
    await cron.pause();
    await receiver.close();
    await varsel.stop();
  }
}
