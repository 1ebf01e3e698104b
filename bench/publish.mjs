// `npm run bench -- publish`: POST /events/api/v1/events on wrangler dev with concurrent
// connections for a fixed time, beside a bare Worker's POST measured the same way in the same run.
import { load, printTable, startBareWorker, startVarsel, token } from "./lib.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

export default async function publishBench() {
  const varsel = await startVarsel({ CRON_TICK_SECONDS: "60" });
  const bare = await startBareWorker();
  try {
    const auth = `Bearer ${await token({ org: "ttd", scope: "altinn:events.publish" })}`;
    const run = String(Date.now());
    const body = (i) =>
      JSON.stringify({
        id: `${run}-${i}`,
        type: "bench.published",
        source: "https://bench.example/cases/1",
        specversion: "1.0",
        resource: "urn:altinn:resource:ttd-demo-events",
        data: { i },
      });
    const publish = (i) => [
      `${varsel.base}/events/api/v1/events`,
      {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/cloudevents+json" },
        body: body(i),
      },
    ];
    const bareReq = (i) => [
      `${bare.base}/`,
      { method: "POST", headers: { "content-type": "application/cloudevents+json" }, body: body(i) },
    ];

    // Warm both up so neither pays for first compilation inside the measurement.
    await load({ seconds: 2, concurrency: 4, makeRequest: publish });
    await load({ seconds: 2, concurrency: 4, makeRequest: bareReq });
    const p = await load({ seconds: SECONDS, concurrency: CONCURRENCY, makeRequest: publish });
    const b = await load({ seconds: SECONDS, concurrency: CONCURRENCY, makeRequest: bareReq });
    console.log(`${SECONDS} s each, ${CONCURRENCY} concurrent connections, wrangler dev on this machine`);
    printTable([
      {
        target: "POST /events (Varsel)",
        "req/s": p.perSecond,
        "p50 ms": p.p50,
        "p99 ms": p.p99,
        ok: p.count,
        errors: p.errors,
      },
      {
        target: "POST / (bare Worker)",
        "req/s": b.perSecond,
        "p50 ms": b.p50,
        "p99 ms": b.p99,
        ok: b.count,
        errors: b.errors,
      },
    ]);
    return { publish: p, bare: b };
  } finally {
    await bare.stop();
    await varsel.stop();
  }
}
