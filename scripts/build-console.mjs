// Builds the console (console/ -> console/dist) with Vite, and copies Scalar's standalone bundle in
// for /docs. Skips the build when nothing under console/ (nor the lock file) changed since the last
// one, so `npm start` and each e2e test's start stay quick. `--force` always builds.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ROOT } from "./lib/devkeys.mjs";

const CONSOLE = join(ROOT, "console");
const DIST = join(CONSOLE, "dist");
const STAMP = join(CONSOLE, ".dist-stamp");

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "dist" || e.name === "node_modules" || e.name === ".dist-stamp") continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export async function buildConsole({ force = false } = {}) {
  const sources = Math.max(
    newest(CONSOLE),
    statSync(join(ROOT, "package-lock.json")).mtimeMs,
    statSync(import.meta.filename).mtimeMs,
  );
  if (!force && existsSync(STAMP) && Number(readFileSync(STAMP, "utf8")) >= sources) return false;
  const { build } = await import("vite");
  await build({ configFile: join(CONSOLE, "vite.config.ts"), logLevel: "warn" });
  const require = createRequire(import.meta.url);
  const scalar = require.resolve("@scalar/api-reference/browser/standalone.js");
  mkdirSync(join(DIST, "vendor"), { recursive: true });
  copyFileSync(scalar, join(DIST, "vendor", "scalar-standalone.js"));
  writeFileSync(STAMP, String(sources));
  return true;
}

if (import.meta.filename === process.argv[1]) {
  const built = await buildConsole({ force: process.argv.includes("--force") });
  console.log(built ? "[varsel] console built into console/dist" : "[varsel] console is up to date");
}
