// `npm run chaos [name…]`: fault-injection scenarios against the real `npm start` (not part of `npm test`).
// Each file in chaos/scenarios/ default-exports { name, description, run } where `run()` starts its own
// Varsel and peers on loopback, injects its fault, waits (bounded) for things to settle, stops everything,
// and resolves to { expected, received, missing, duplicated, settleMs, notes? }.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dir = join(import.meta.dirname, "scenarios");
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".mjs"))
  .sort();
const rows = [];
let failed = false;
for (const file of files) {
  const scenario = (await import(pathToFileURL(join(dir, file)).href)).default;
  if (only.length && !only.includes(scenario.name)) continue;
  process.stdout.write(`\n== ${scenario.name}: ${scenario.description}\n`);
  const started = Date.now();
  try {
    const r = await scenario.run();
    rows.push({ scenario: scenario.name, ...r });
    if (r.missing > 0) failed = true;
  } catch (e) {
    failed = true;
    rows.push({
      scenario: scenario.name,
      expected: "-",
      received: "-",
      missing: "-",
      duplicated: "-",
      settleMs: Date.now() - started,
      notes: `error: ${e?.message ?? e}`,
    });
  }
  const last = rows.at(-1);
  process.stdout.write(`   ${JSON.stringify(last)}\n`);
}

const head = ["scenario", "expected", "received", "missing", "duplicated", "settle (s)", "notes"];
const line = (cells) => `| ${cells.join(" | ")} |`;
console.log(`\n${line(head)}\n${line(head.map(() => "---"))}`);
for (const r of rows) {
  const settle = typeof r.settleMs === "number" ? (r.settleMs / 1000).toFixed(1) : "-";
  console.log(line([r.scenario, r.expected, r.received, r.missing, r.duplicated, settle, r.notes ?? ""]));
}
process.exit(failed ? 1 : 0);
