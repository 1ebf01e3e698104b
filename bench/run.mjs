// `npm run bench [-- name ...]`: runs the named figures (bench/<name>.mjs), or all of them, each in
// interleaved pairs beside its baseline, then prints one summary line per figure.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, printTable } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const ORDER = ["publish", "push", "push100", "fanout", "email"];
const all = readdirSync(here)
  .filter((f) => f.endsWith(".mjs") && f !== "run.mjs" && !f.endsWith("lib.mjs"))
  .map((f) => f.replace(/\.mjs$/, ""))
  .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));
const chosen = process.argv.slice(2).filter((a) => !a.startsWith("-"));
for (const name of chosen) {
  if (!all.includes(name)) {
    console.error(`unknown benchmark '${name}'; have: ${all.join(", ")}`);
    process.exit(2);
  }
}
const summary = [];
for (const name of chosen.length ? chosen : all) {
  console.log(`\n=== bench ${name}`);
  const mod = await import(join(here, `${name}.mjs`));
  const r = await mod.default();
  if (r?.figure) summary.push(r);
}
if (summary.length) {
  console.log("\n=== summary (medians of the interleaved pairs)");
  printTable(
    summary.map((s) => ({
      figure: s.figure,
      Varsel: s.varsel,
      baseline: s.baseline,
      ratio: s.ratio,
      difference: s.difference,
      goal: s.goal,
      verdict: `${s.verdict} (${fmt(s.value)})`,
    })),
  );
}
process.exit(0);
