// Shared benchmark helpers: a closed-loop HTTP load generator, percentiles, the bare-Worker
// baseline and table printing. Benchmarks only print figures; they assert nothing about time.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, ROOT } from "../test/e2e/harness.ts";

export { startVarsel, token, platformToken, freePort, waitFor } from "../test/e2e/harness.ts";

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function summarize(latencies, seconds, errors = 0) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    errors,
    perSecond: sorted.length / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

/**
 * Closed loop: `concurrency` callers each send the next request as soon as the previous answered,
 * for `seconds`. `makeRequest(i)` returns fetch arguments. Only `okStatus` answers count.
 */
export async function load({ seconds, concurrency, makeRequest, okStatus = (s) => s >= 200 && s < 300 }) {
  const latencies = [];
  let errors = 0;
  let i = 0;
  const end = performance.now() + seconds * 1000;
  async function worker() {
    while (performance.now() < end) {
      const [url, init] = makeRequest(i++);
      const t0 = performance.now();
      try {
        const res = await fetch(url, init);
        await res.arrayBuffer();
        if (okStatus(res.status)) latencies.push(performance.now() - t0);
        else errors++;
      } catch {
        errors++;
      }
    }
  }
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summarize(latencies, (performance.now() - t0) / 1000, errors);
}

/** Runs bench/bare as its own wrangler dev, the baseline every Worker figure is printed beside. */
export async function startBareWorker() {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "varsel-bare-"));
  const child = spawn(
    join(ROOT, "node_modules", ".bin", "wrangler"),
    [
      "dev",
      "--config",
      join(ROOT, "bench", "bare", "wrangler.toml"),
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      state,
      "--show-interactive-dev-session=false",
      "--inspector-port",
      "0",
    ],
    {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      stdio: "ignore",
      detached: true,
    },
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(base)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    stop: async () => {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      await new Promise((r) => setTimeout(r, 500));
      rmSync(state, { recursive: true, force: true });
    },
  };
}

const fmt = (v) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(1)) : String(v));

export function printTable(rows) {
  const cols = Object.keys(rows[0]);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c]).length)));
  const line = (vals) => "| " + vals.map((v, i) => v.padEnd(widths[i])).join(" | ") + " |";
  console.log(line(cols));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows) console.log(line(cols.map((c) => fmt(r[c]))));
}
