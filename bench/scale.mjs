// `npm run bench -- scale`: publishes across many resources (one subscription each, a real loopback
// receiver) against the real `npm start`, for growing numbers of resources, and reports per step:
// publish rate and latency, publish -> receipt latency, the time to drain, and the calls each event
// makes to what is global (the constants test/integration/global-calls.test.ts verifies). On one
// machine with 2 cores the rate is bounded by the CPU, not by a partition; read the per-event costs
// and the capacity model in docs/operations.md ("Capacity model") together.
//
//   SCALE_RESOURCES=1,8,32   resource counts, one step each
//   SCALE_EVENTS=400         events published per step, round-robin over the resources
//   SCALE_CONCURRENCY=16     publishing connections
import { startVarsel, token } from "../test/e2e/harness.ts";
import { startReceiver, varselClient } from "../test/e2e/receiver.ts";

const STEPS = (process.env.SCALE_RESOURCES ?? "1,8,32").split(",").map(Number);
const EVENTS = Number(process.env.SCALE_EVENTS ?? 400);
const CONCURRENCY = Number(process.env.SCALE_CONCURRENCY ?? 16);

/**
 * Global calls per event on the default (partitioned) log, as test/integration/event-log-global-calls.test.ts
 * counts them: publish 1 D1 read (the policy) and one of 4,096 guard objects, the resource's own head
 * object otherwise; the head's hand-over 1 D1 read per batch of up to 100; a steady first push 0 D1.
 */
const GLOBAL = { publishD1: 1, publishGuard: 1, handOverD1PerBatch: 1, handOverBatch: 100, pushD1: 0 };

function pct(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
}
const sortNum = (a) => [...a].sort((x, y) => x - y);

async function inParallel(n, limit, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

export default async function scaleBench() {
  const varsel = await startVarsel({ CRON_TICK_SECONDS: "5", MAX_SUBSCRIPTIONS_PER_CONSUMER: "100000" });
  const api = varselClient(varsel.base);
  const admin = await token({ org: "digdir", scope: "varsel:admin" });
  const publisher = await token({ org: "ttd", scope: "altinn:events.publish altinn:events.subscribe" });
  const published = new Map();
  const arrived = new Map();
  const rx = await startReceiver({
    onPush: (r) => {
      if (typeof r.json.id === "string" && !arrived.has(r.json.id)) arrived.set(r.json.id, r.at);
    },
  });
  const rows = [];
  try {
    for (const resources of STEPS) {
      const ids = Array.from({ length: resources }, (_, i) => `bench-scale-${resources}-${i}`);
      await inParallel(ids.length, 8, async (i) => {
        await api.putResource(admin, ids[i], "ttd", []);
        const s = await api.subscribe(publisher, {
          endPoint: `${rx.url}?r=${ids[i]}`,
          resourceFilter: `urn:altinn:resource:${ids[i]}`,
        });
        if (s.status !== 201) throw new Error(`subscribe: ${s.status} ${JSON.stringify(s.body)}`);
      });
      for (;;) {
        const list = (await api.get(publisher, "/events/api/v1/subscriptions")).body.subscriptions.filter((s) =>
          ids.some((id) => s.resourceFilter === `urn:altinn:resource:${id}`),
        );
        if (list.length === ids.length && list.every((s) => s.validated)) break;
        await new Promise((r) => setTimeout(r, 250));
      }

      const step = `${resources}-${Date.now()}`;
      const latencies = [];
      const started = performance.now();
      await inParallel(EVENTS, CONCURRENCY, async (n) => {
        const id = `${step}-${n}`;
        const t0 = performance.now();
        published.set(id, t0);
        await api.publish(publisher, {
          id,
          type: "bench.scaled",
          source: `https://bench.example/scale/${n}`,
          resource: `urn:altinn:resource:${ids[n % ids.length]}`,
          data: { n },
        });
        latencies.push(performance.now() - t0);
      });
      const publishSeconds = (performance.now() - started) / 1000;
      const mine = () => [...published.keys()].filter((id) => id.startsWith(`${step}-`));
      const deadline = performance.now() + 300_000;
      while (mine().some((id) => !arrived.has(id)) && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      const pushes = sortNum(
        mine()
          .filter((id) => arrived.has(id))
          .map((id) => arrived.get(id) - published.get(id)),
      );
      const last = Math.max(...mine().map((id) => arrived.get(id) ?? Number.NaN));
      const pub = sortNum(latencies);
      rows.push({
        resources,
        events: EVENTS,
        "publish/s": (EVENTS / publishSeconds).toFixed(1),
        "publish p50 ms": pct(pub, 50).toFixed(1),
        "publish p99 ms": pct(pub, 99).toFixed(1),
        "push p50 ms": pct(pushes, 50).toFixed(1),
        "push p99 ms": pct(pushes, 99).toFixed(1),
        received: `${pushes.length}/${EVENTS}`,
        "drain s": ((last - started) / 1000).toFixed(2),
        "end-to-end events/s": (pushes.length / ((last - started) / 1000)).toFixed(1),
      });
    }
  } finally {
    await rx.close();
    await varsel.stop();
  }
  console.log(`${EVENTS} events per step, ${CONCURRENCY} publishing connections, one subscription per resource`);
  const cols = Object.keys(rows[0] ?? {});
  console.log(`| ${cols.join(" | ")} |\n|${cols.map(() => "---").join("|")}|`);
  for (const r of rows) console.log(`| ${cols.map((c) => r[c]).join(" | ")} |`);
  const perEvent = GLOBAL.publishD1 + GLOBAL.handOverD1PerBatch / GLOBAL.handOverBatch + GLOBAL.pushD1;
  console.log(
    `\nGlobal calls per event and matching subscription (test/integration/event-log-global-calls.test.ts): publish ${GLOBAL.publishD1} D1 + ${GLOBAL.publishGuard} guard object (one of 4,096); hand-over ${GLOBAL.handOverD1PerBatch} D1 per batch of up to ${GLOBAL.handOverBatch}; steady first push ${GLOBAL.pushD1} D1. ` +
      `About ${perEvent.toFixed(2)} D1 statements per event with one subscription, whatever the number of resources or tenants; everything else goes to the resource's own objects.`,
  );
  return rows;
}
