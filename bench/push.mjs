// `npm run bench -- push`: publish -> receipt latency of pushes for 1 and for 100 matching
// subscriptions, and fan-out time of one event to 1,000 subscriptions, against the real `npm start`
// (wrangler dev, local Queues and Durable Objects) with real receivers on loopback. The baseline is
// a direct loopback POST of the same body to the same kind of receiver, measured in the same run.
import { startVarsel, token } from "../test/e2e/harness.ts";
import { startReceiver, varselClient } from "../test/e2e/receiver.ts";

const RESOURCE_ID = "bench-push";
const RESOURCE = `urn:altinn:resource:${RESOURCE_ID}`;

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p99: pct(s, 99), max: s.at(-1) };
}
const ms = (v) => `${v.toFixed(1)} ms`;

/** Resolves when `count` pushes of event `id` have arrived. */
function arrivals(rx) {
  const waiting = new Map();
  const seen = new Map();
  rx.onPush = (r) => {
    const id = r.json.id;
    const list = seen.get(id) ?? [];
    list.push(r.at);
    seen.set(id, list);
    const w = waiting.get(id);
    if (w && list.length >= w.count) w.resolve(list);
  };
  return (id, count, timeoutMs = 120_000) =>
    new Promise((resolve, reject) => {
      const have = seen.get(id) ?? [];
      if (have.length >= count) return resolve(have);
      const t = setTimeout(
        () => reject(new Error(`only ${(seen.get(id) ?? []).length}/${count} pushes of ${id} arrived`)),
        timeoutMs,
      );
      waiting.set(id, { count, resolve: (v) => (clearTimeout(t), resolve(v)) });
    });
}

async function receiverWithArrivals() {
  const holder = {};
  const rx = await startReceiver({ onPush: (r) => holder.onPush?.(r) });
  const wait = arrivals(holder);
  return { rx, wait };
}

async function inParallel(n, limit, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

export default async function main() {
  const varsel = await startVarsel({ CRON_TICK_SECONDS: "5" });
  const api = varselClient(varsel.base);
  const admin = await token({ org: "digdir", scope: "varsel:admin" });
  const publisher = await token({ org: "ttd", scope: "altinn:events.publish altinn:events.subscribe" });
  const { rx, wait } = await receiverWithArrivals();
  const rows = [];
  try {
    await api.putResource(admin, RESOURCE_ID, "ttd", []);
    const event = (n, type) => ({
      id: crypto.randomUUID(),
      type,
      source: `https://bench.example/items/${n}`,
      resource: RESOURCE,
      subject: "/party/1",
      data: { n, note: "benchmark" },
    });

    // Baseline: the same body POSTed straight to the same receiver, over loopback.
    const direct = [];
    for (let i = 0; i < 200; i++) {
      const e = { ...event(i, "bench.direct"), specversion: "1.0", time: new Date().toISOString() };
      const t0 = performance.now();
      const r = await fetch(rx.url, {
        method: "POST",
        headers: { "content-type": "application/cloudevents+json" },
        body: JSON.stringify(e),
      });
      await r.arrayBuffer();
      if (i >= 20) direct.push(performance.now() - t0);
    }
    rows.push(["direct loopback POST (baseline)", stats(direct)]);

    const subscribeMany = async (n, type) => {
      await inParallel(n, 10, async (i) => {
        const s = await api.subscribe(publisher, {
          endPoint: `${rx.url}?s=${type}-${i}`,
          resourceFilter: RESOURCE,
          typeFilter: type,
        });
        if (s.status !== 201) throw new Error(`subscribe: ${s.status} ${JSON.stringify(s.body)}`);
      });
      // Every handshake answered: wait until all are validated.
      for (;;) {
        const list = (await api.get(publisher, "/events/api/v1/subscriptions")).body.subscriptions.filter(
          (s) => s.typeFilter === type,
        );
        if (list.length === n && list.every((s) => s.validated)) return;
        await new Promise((r) => setTimeout(r, 250));
      }
    };

    /**
     * Subscribes `subs` times, then publishes `events` events one at a time, each after the
     * previous one's pushes all arrived. Per event: every receipt's latency and the last one's.
     */
    const run = async (type, subs, events, warmup, timeoutMs = 120_000) => {
      await subscribeMany(subs, type);
      const each = [];
      const last = [];
      for (let i = 0; i < events; i++) {
        const e = event(i, type);
        const t0 = performance.now();
        await api.publish(publisher, e);
        const ats = await wait(e.id, subs, timeoutMs);
        if (i < warmup) continue;
        each.push(...ats.map((at) => at - t0));
        last.push(Math.max(...ats) - t0);
      }
      return { each: stats(each), last: stats(last) };
    };

    rows.push(["Varsel: publish -> receipt, 1 subscription", (await run("bench.one", 1, 60, 5)).each]);
    const hundred = await run("bench.hundred", 100, 15, 2);
    rows.push(["Varsel: publish -> receipt, 100 subscriptions (each receipt)", hundred.each]);
    rows.push(["Varsel: publish -> last of 100 receipts", hundred.last]);
    rows.push([
      "Varsel: fan-out of one event to 1,000 subscriptions (last receipt)",
      (await run("bench.thousand", 1000, 3, 0, 300_000)).last,
    ]);
  } finally {
    await rx.close();
    await varsel.stop();
  }
  console.log(`\n| measurement | n | p50 | p99 | max |\n|---|---|---|---|---|`);
  for (const [name, s] of rows) console.log(`| ${name} | ${s.n} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`);
}
