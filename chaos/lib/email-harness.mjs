// Shared by the chaos/scenarios/email-*.mjs scenarios: `npm start` on a state directory that survives
// a kill -9 (so a restart continues on the same D1), a real loopback SMTP server, and order helpers.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, ROOT, token } from "../../test/e2e/harness.ts";

export { startSmtpSink } from "../../test/helpers/smtp.ts";

export function stateDir() {
  const dir = mkdtempSync(join(tmpdir(), "varsel-chaos-email-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts `npm start` on `dir` and waits for ready; `kill9()` kills the whole process group at once. */
export async function startVarselOn(dir, env, port) {
  port ??= await freePort();
  let out = "";
  const child = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), VARSEL_STATE_DIR: dir, CRON_TICK_SECONDS: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise((r) => child.once("exit", r));
  const signal = async (sig) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, sig);
    } catch {}
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  };
  const deadline = Date.now() + 150_000;
  while (!out.includes("[varsel] ready on")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await signal("SIGKILL");
      throw new Error(`npm start did not become ready:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    output: () => out,
    kill9: () => signal("SIGKILL"),
    stop: async () => {
      await signal("SIGTERM");
      await signal("SIGKILL");
    },
  };
}

/** Places an e-mail order to `addresses` and returns its id. */
export async function placeOrder(base, addresses) {
  const auth = `Bearer ${await token({ org: "ttd", scope: "altinn:serviceowner/notifications.create" })}`;
  const res = await fetch(`${base}/notifications/api/v1/orders/email`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify({
      subject: "chaos",
      body: "chaos",
      recipients: addresses.map((emailAddress) => ({ emailAddress })),
    }),
  });
  if (res.status !== 202) throw new Error(`order: ${res.status} ${await res.text()}`);
  return (await res.json()).orderId;
}

/** expected / received / missing / duplicated from the SMTP server's messages. */
export function tally(addresses, messages) {
  const counts = new Map();
  for (const m of messages)
    for (const to of m.envelope.to) counts.set(to.toLowerCase(), (counts.get(to.toLowerCase()) ?? 0) + 1);
  const received = addresses.filter((a) => counts.has(a)).length;
  const duplicated = [...counts.values()].reduce((n, c) => n + (c - 1), 0);
  return { expected: addresses.length, received, missing: addresses.length - received, duplicated };
}

export async function until(probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
