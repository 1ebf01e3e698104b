// `npm run bench [-- name ...]`: runs the named benchmarks (bench/<name>.mjs), or all of them.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(here)
  .filter((f) => f.endsWith(".mjs") && !["run.mjs", "lib.mjs"].includes(f))
  .map((f) => f.replace(/\.mjs$/, ""))
  .sort();
const chosen = process.argv.slice(2).filter((a) => !a.startsWith("-"));
for (const name of chosen.length ? chosen : all) {
  if (!all.includes(name)) {
    console.error(`unknown benchmark '${name}'; have: ${all.join(", ")}`);
    process.exit(2);
  }
  console.log(`\n=== bench ${name}`);
  const mod = await import(join(here, `${name}.mjs`));
  await mod.default();
}
process.exit(0);
