// Issue 8 point 2: `kill -9` of `npm start` right after the last publish answered 200, restart on the
// same state: every push still arrives. Queue messages in flight die with the process; the events
// outbox in D1 keeps each event until every matching subscription's object holds it, and the cron's
// sweep sends what the queue lost.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { publishMany, setUpFanOut, tally } from "./fanout";
import { startVarsel, waitFor, type Varsel } from "./harness";
import { startReceiver, type Receiver } from "./receiver";

const stateDir = mkdtempSync(join(tmpdir(), "varsel-crash-"));
let varsel: Varsel | undefined;
let rx: Receiver | undefined;
afterAll(async () => {
  await rx?.close();
  await varsel?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

it("kill -9 right after the last publish: after a restart on the same state every push arrives", {
  timeout: 420_000,
}, async () => {
  const config = { VARSEL_STATE_DIR: stateDir, PUSH_RETRY_SCHEDULE: "1,1,1,1,1,1,1,1,1,1,1" };
  rx = await startReceiver();
  varsel = await startVarsel(config);
  const fan = await setUpFanOut(
    varsel.base,
    Array.from({ length: 50 }, (_, i) => `${rx!.url}?sub=${i}`),
    "e2e-crash",
  );
  const ids = await publishMany(varsel.base, fan, 200, { parallel: 20 });
  await varsel.kill();
  const before = tally([rx], fan, ids);

  varsel = await startVarsel(config);
  await waitFor(() => tally([rx!], fan, ids).missing === 0, 240_000, "every push after the restart");
  const after = tally([rx], fan, ids);
  console.log(JSON.stringify({ beforeRestart: before, afterRestart: after }));
  expect(after).toMatchObject({ expected: 10_000, received: 10_000, missing: 0 });
});
