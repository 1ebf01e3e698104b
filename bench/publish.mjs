// `npm run bench -- publish`: events/s that POST /events/api/v1/events answers 200 to, autocannon with
// 16 connections for 10 s, beside the bare Worker's POST/s driven the same way, in interleaved pairs.
// The bench resource has one subscription to a quiet loopback receiver, so publishing does its real
// work (store, queue, match, push); before every baseline the harness waits until that receiver has
// seen every published event and nothing more arrives, and the bare Worker runs only for its baseline.
import {
  cannon,
  interleaved,
  pairCount,
  report,
  setting,
  startBareWorker,
  startVarsel,
  ticker,
  waitFor,
} from "./lib.mjs";
import { benchReceiver, quiet, subscribedResource, tokens, varselClient } from "./push-lib.mjs";

const RESOURCE_ID = "bench-publish";

export default async function publishBench() {
  const seconds = setting("BENCH_SECONDS", 10);
  const connections = setting("BENCH_CONNECTIONS", 16);
  const pairs = pairCount();
  const varsel = await startVarsel();
  const cron = ticker(varsel.base, 60);
  const receiver = await benchReceiver();
  try {
    const t = await tokens();
    const resource = await subscribedResource(varselClient(varsel.base), t, RESOURCE_ID, 1, receiver.url);
    const body = JSON.stringify({
      specversion: "1.0",
      id: "[<id>]",
      type: "bench.published",
      source: "https://bench.example/cases/1",
      resource,
      subject: "/party/1",
      data: { note: "benchmark" },
    });
    const headers = { "content-type": "application/cloudevents+json" };
    let stored = 0;
    /** Every event answered 200 has reached the receiver, and nothing has arrived for a second. */
    const idle = async () => {
      await waitFor(() => receiver.distinct() >= stored, 300_000, `${stored} pushes at the receiver`);
      await quiet(receiver);
    };
    const publish = async (s, c) => {
      cron.resume();
      const r = await cannon({
        url: `${varsel.base}/events/api/v1/events`,
        headers: { ...headers, authorization: `Bearer ${t.publisher}` },
        body,
        connections: c,
        seconds: s,
      });
      stored += r.ok;
      await idle();
      await cron.pause();
      return r;
    };
    await publish(2, 4); // warm-up: compile every path once

    const rows = await interleaved({
      pairs,
      varsel: async () => {
        const r = await publish(seconds, connections);
        return { ...r, value: r.perSecond };
      },
      baseline: async () => {
        const bare = await startBareWorker();
        try {
          const run = (s, c) => cannon({ url: `${bare.base}/`, headers, body, connections: c, seconds: s });
          await run(2, 4); // warm-up
          const r = await run(seconds, connections);
          return { ...r, value: r.perSecond };
        } finally {
          await bare.stop();
        }
      },
    });
    console.log(
      `\nautocannon, ${connections} connections, ${seconds} s per side, ${pairs} interleaved pairs; wrangler dev on this machine`,
    );
    return report({
      figure: "publish",
      unit: "2xx/s",
      varselLabel: "Varsel POST /events",
      baselineLabel: "bare Worker POST /",
      rows,
      goal: { of: "ratio", text: "≥ 0.5", test: (m) => m >= 0.5 },
      extra: [
        ["Varsel p99 ms", (r) => r.v.p99],
        ["bare p99 ms", (r) => r.b.p99],
        ["failed (V/b)", (r) => `${r.v.failed}/${r.b.failed}`],
      ],
    });
  } finally {
    await cron.pause();
    await receiver.close();
    await varsel.stop();
  }
}
