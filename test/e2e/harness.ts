// Runs the real `npm start` (wrangler dev with local D1, Queues, DOs) on a free port with its own
// state directory, and mints tokens with the real `npm run token` script's key.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-expect-error: plain ESM script without types
import { devKeys, mintToken } from "../../scripts/lib/devkeys.mjs";

export const ROOT = join(import.meta.dirname, "..", "..");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Varsel {
  base: string;
  port: number;
  output: () => string;
  stop: () => Promise<void>;
  /** `kill -9` of the whole `npm start` process tree (no clean shutdown); the state directory stays. */
  kill: () => Promise<void>;
}

/**
 * Starts `npm start` with the given environment and waits for "ready". A free port can be taken by
 * another process between the look-up and wrangler's bind: then it starts again on another port
 * (unless the caller chose the port).
 */
export async function startVarsel(env: Record<string, string> = {}): Promise<Varsel> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startVarselOnce(env);
    } catch (e) {
      const portTaken = e instanceof Error && e.message.includes("Address already in use");
      if (!portTaken || env.PORT !== undefined || attempt >= 3) throw e;
    }
  }
}

async function startVarselOnce(env: Record<string, string>): Promise<Varsel> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "varsel-e2e-"));
  let out = "";
  const child: ChildProcess = spawn("npm", ["start", "--silent"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      VARSEL_STATE_DIR: stateDir,
      MAIL_CATCHER_SMTP_PORT: "0",
      MAIL_CATCHER_WEB_PORT: "0",
      SMS_CATCHER_PORT: "0",
      CRON_TICK_SECONDS: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const stop = async () => {
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {}
      await new Promise((r) => {
        const t = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {}
          r(null);
        }, 5000);
        child.once("exit", () => {
          clearTimeout(t);
          r(null);
        });
      });
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {}
    await exited;
  };
  const deadline = Date.now() + 150_000;
  while (!out.includes("[varsel] ready on")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`npm start did not become ready:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base: `http://localhost:${port}`, port, output: () => out, stop, kill };
}

export interface TokenOptions {
  org?: string;
  orgNumber?: string;
  user?: string;
  party?: string;
  scope?: string;
  expiresIn?: number;
}

/** Tokens signed with the development key `npm start` trusts (the same code as `npm run token`). */
export async function token(o: TokenOptions = {}): Promise<string> {
  return mintToken(await devKeys(), { kind: "altinn", ...o });
}

export async function platformToken(org: string, app: string): Promise<string> {
  return mintToken(await devKeys(), { kind: "platform", org, app });
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 60_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
