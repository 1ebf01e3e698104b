// Shared benchmark helpers: autocannon runs, percentiles, the bare-Worker baseline, the cron ticker
// the harness drives itself, interleaved pairs and their tables. Benchmarks only print figures;
// they assert nothing about time.
import autocannon from "autocannon";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, ROOT, startVarsel as startVarselProcess } from "../test/e2e/harness.ts";

export { token, platformToken, freePort, waitFor } from "../test/e2e/harness.ts";

/** A positive integer from the environment, or the default. */
export function setting(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not '${raw}'`);
  return n;
}

/** Interleaved pairs per figure: at least three, so a median of ratios means something. */
export function pairCount() {
  const n = Math.floor(setting("BENCH_PAIRS", 3));
  if (n < 3) throw new Error(`BENCH_PAIRS must be at least 3 (got ${n})`);
  return n;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/**
 * `npm start` (wrangler dev with local D1, Queues and DOs) whose own cron ticker is switched off:
 * the harness fires the scheduled handler itself (`ticker`), so it can stop it while a baseline runs.
 */
export async function startVarsel(env = {}) {
  return startVarselProcess({ CRON_TICK_SECONDS: "86400", ...env });
}

/** Fires Varsel's scheduled handler every `seconds` while running; `pause()` stops it (waiting for a tick in flight). */
export function ticker(base, seconds) {
  let timer = null;
  let inFlight = Promise.resolve();
  const tick = () => {
    inFlight = fetch(`${base}/__scheduled?cron=${encodeURIComponent("* * * * *")}`)
      .then((r) => r.arrayBuffer())
      .catch(() => undefined);
  };
  return {
    resume() {
      if (!timer) timer = setInterval(tick, seconds * 1000);
    },
    async pause() {
      if (timer) clearInterval(timer);
      timer = null;
      await inFlight;
    },
  };
}

/**
 * One autocannon run: `connections` keep-alive connections for `seconds`, each request's body from
 * `body` with every `[<id>]` replaced by a fresh unique id. Rate counts 2xx answers only.
 */
export async function cannon({ url, method = "POST", headers = {}, body, connections, seconds }) {
  const r = await autocannon({
    url,
    method,
    headers,
    body,
    idReplacement: true,
    connections,
    duration: seconds,
    timeout: 30,
  });
  return {
    ok: r["2xx"],
    failed: r.non2xx + r.errors + r.timeouts,
    perSecond: r["2xx"] / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
  };
}

/**
 * The baseline Worker (bench/bare: reads the body, answers 200) as its own wrangler dev, started for
 * one baseline measurement and stopped right after it, so it never runs beside Varsel.
 */
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
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, stdio: "ignore", detached: true },
  );
  const exited = new Promise((r) => child.once("exit", r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }, 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(state, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(base)).ok) break;
    } catch {}
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error("the bare Worker did not start");
    }
    await sleep(200);
  }
  return { base, stop };
}

/**
 * Runs `pairs` interleaved pairs: each pair measures Varsel and the baseline one after the other,
 * alternating which goes first (V B, B V, V B, ...) so drift on the machine falls on both sides.
 * `varsel(i)` must resolve only once Varsel is idle again (every push seen, queue drained);
 * `baseline(i)` runs while Varsel does nothing. Each resolves `{ value, ... }`.
 */
export async function interleaved({ pairs, varsel, baseline }) {
  const rows = [];
  for (let i = 0; i < pairs; i++) {
    let v;
    let b;
    if (i % 2 === 0) {
      v = await varsel(i);
      b = await baseline(i);
    } else {
      b = await baseline(i);
      v = await varsel(i);
    }
    const row = { pair: i + 1, order: i % 2 === 0 ? "V, b" : "b, V", v, b };
    console.log(`  pair ${row.pair} (${row.order}): Varsel ${fmt(v.value)}, baseline ${fmt(b.value)}`);
    rows.push(row);
  }
  return rows;
}

export const fmt = (v) =>
  typeof v === "number"
    ? Number.isInteger(v)
      ? String(v)
      : Math.abs(v) >= 10
        ? v.toFixed(1)
        : v.toFixed(2)
    : String(v);

export function printTable(rows) {
  const cols = Object.keys(rows[0]);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c] ?? "").length)));
  const line = (vals) => `| ${vals.map((v, i) => v.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(cols));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(cols.map((c) => fmt(r[c] ?? ""))));
}

/**
 * Prints one figure: a row per pair (Varsel's value, the baseline's, their ratio and, when asked,
 * their difference) and the medians, then checks the goal against the median it names
 * (`goal.of`: "ratio", "difference" or "varsel"). Returns the summary `npm run bench` prints last.
 */
export function report({ figure, unit, varselLabel, baselineLabel, rows, difference = false, goal, extra = [] }) {
  const V = `${varselLabel} (${unit})`;
  const B = `${baselineLabel} (${unit})`;
  const D = `difference (${unit})`;
  const table = rows.map((r) => ({
    pair: r.pair,
    order: r.order,
    [V]: r.v.value,
    [B]: r.b.value,
    ratio: r.v.value / r.b.value,
    ...(difference ? { [D]: r.v.value - r.b.value } : {}),
    ...Object.fromEntries(extra.map(([name, get]) => [name, get(r)])),
  }));
  const medians = {
    varsel: median(rows.map((r) => r.v.value)),
    baseline: median(rows.map((r) => r.b.value)),
    ratio: median(rows.map((r) => r.v.value / r.b.value)),
    ...(difference ? { difference: median(rows.map((r) => r.v.value - r.b.value)) } : {}),
  };
  table.push({
    pair: "median",
    order: "",
    [V]: medians.varsel,
    [B]: medians.baseline,
    ratio: medians.ratio,
    ...(difference ? { [D]: medians.difference } : {}),
  });
  console.log("");
  printTable(table);
  const value = medians[goal.of];
  const verdict = goal.test(value) ? "goal met" : "goal NOT met";
  console.log(`${figure}: median ${goal.of} ${fmt(value)} (goal ${goal.text}): ${verdict}`);
  return { figure, ...medians, goal: `${goal.of} ${goal.text}`, value, verdict };
}
