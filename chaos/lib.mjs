// Shared pieces of the chaos scenarios: a Varsel with short retries, fan-out set-up and tallies
// (test/e2e/fanout.ts), and a bounded wait that reports instead of throwing.
import { startVarsel } from "../test/e2e/harness.ts";

export { publishMany, setUpFanOut, tally } from "../test/e2e/fanout.ts";
export { startReceiver } from "../test/e2e/receiver.ts";

/** Retries 1, 2, 4, 8 … s: a scenario settles in seconds, not hours. */
export const FAST_RETRIES = "1,2,4,8,8,8,8,8,8,8,8";

export function start(extra = {}) {
  return startVarsel({ PUSH_RETRY_SCHEDULE: FAST_RETRIES, ...extra });
}

/** Polls `done()` until it holds or `ms` pass; resolves how long it took (or null on time-out). */
export async function settle(done, ms) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await done()) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 200));
  }
  return null;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
