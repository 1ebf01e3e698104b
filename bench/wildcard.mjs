// `npm run bench -- wildcard`: the linear `%` matcher (src/lib/wildcard.ts) on the pathological
// filter that once stalled the matcher (`https://x/%a%a%a%a%a%a%a%!`) against a 100 KB source, beside a
// baseline of String.prototype.startsWith on the same input. Interleaved pairs (matcher, baseline),
// so machine load hits both alike; prints per-call times and their ratio. Quick (well under a second
// of measured work); asserts nothing about time.
import { printTable } from "./lib.mjs";
import { wildcardPrefixMatch } from "../src/lib/wildcard.ts";

const PAIRS = Number(process.env.BENCH_WILDCARD_PAIRS ?? 20);
const CALLS = Number(process.env.BENCH_WILDCARD_CALLS ?? 50);
const PATTERN = "https://x/%a%a%a%a%a%a%a%!";
const SOURCE = `https://x/${"a".repeat(100 * 1024)}`; // no "!": the worst case, every piece scanned, no match
const PREFIX = "https://x/";

function timeCalls(fn) {
  const t0 = performance.now();
  let sink = 0;
  for (let i = 0; i < CALLS; i++) sink += fn() ? 1 : 0;
  return { ms: (performance.now() - t0) / CALLS, sink };
}

export default async function run() {
  const matcher = () => wildcardPrefixMatch(PATTERN, SOURCE);
  const baseline = () => SOURCE.startsWith(PREFIX) && SOURCE.indexOf("!") >= 0;
  // Warm both up before measuring.
  timeCalls(matcher);
  timeCalls(baseline);
  const m = [];
  const b = [];
  for (let p = 0; p < PAIRS; p++) {
    m.push(timeCalls(matcher).ms);
    b.push(timeCalls(baseline).ms);
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const ratios = m.map((x, i) => x / Math.max(b[i], 1e-6));
  printTable([
    {
      input: `${PATTERN} vs ${SOURCE.length} B`,
      pairs: PAIRS,
      "matcher ms/call (median)": median(m),
      "startsWith+indexOf ms/call (median)": median(b),
      "ratio (median of pairs)": median(ratios),
      "ratio (max)": Math.max(...ratios),
    },
  ]);
}
