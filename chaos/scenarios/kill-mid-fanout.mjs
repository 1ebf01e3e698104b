// `kill -9` of the whole `npm start` tree while pushes fan out, then a restart on the same state.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publishMany, settle, setUpFanOut, start, startReceiver, tally } from "../lib.mjs";

export default {
  name: "kill-9-mid-fan-out",
  description: "50 subscriptions, 200 events; kill -9 of npm start right after the last publish answered 200; restart",
  async run() {
    const stateDir = mkdtempSync(join(tmpdir(), "varsel-chaos-kill-"));
    const rx = await startReceiver();
    let varsel = await start({ VARSEL_STATE_DIR: stateDir });
    try {
      const fan = await setUpFanOut(
        varsel.base,
        Array.from({ length: 50 }, (_, i) => `${rx.url}?sub=${i}`),
        "chaos-kill",
      );
      const ids = await publishMany(varsel.base, fan, 200, { parallel: 20 });
      await varsel.kill();
      const atKill = tally([rx], fan, ids);
      const t0 = Date.now();
      varsel = await start({ VARSEL_STATE_DIR: stateDir });
      const ms = await settle(() => tally([rx], fan, ids).missing === 0, 240_000);
      return {
        ...tally([rx], fan, ids),
        settleMs: ms === null ? 240_000 : Date.now() - t0,
        notes: `${atKill.received} of ${atKill.expected} had arrived at the kill; settle includes the restart`,
      };
    } finally {
      await rx.close();
      await varsel.stop();
      rmSync(stateDir, { recursive: true, force: true });
    }
  },
};
