// The same events published again and again, concurrently: (source, id) makes publishing idempotent,
// so each subscription gets each event once.
import { publishMany, settle, setUpFanOut, sleep, start, startReceiver, tally } from "../lib.mjs";

export default {
  name: "duplicate-publish-storm",
  description: "20 events, each published 10 times (200 calls, 10 at a time) to 3 subscriptions",
  async run() {
    const varsel = await start();
    const rx = await startReceiver();
    try {
      const fan = await setUpFanOut(
        varsel.base,
        [0, 1, 2].map((i) => `${rx.url}?sub=${i}`),
        "chaos-dupes",
      );
      const unique = Array.from({ length: 20 }, () => crypto.randomUUID());
      const storm = Array.from({ length: 10 }, () => unique)
        .flat()
        .sort(() => Math.random() - 0.5);
      const t0 = Date.now();
      await publishMany(varsel.base, fan, storm.length, { ids: storm, parallel: 10 });
      const published = Date.now() - t0;
      const ms = await settle(() => tally([rx], fan, unique).missing === 0, 120_000);
      const settleMs = ms === null ? 120_000 : Date.now() - t0;
      // Linger: a duplicate would arrive after the originals.
      await sleep(10_000);
      return {
        ...tally([rx], fan, unique),
        settleMs,
        notes: `200 publish calls answered 200 in ${published / 1000} s; settle counted from the first publish`,
      };
    } finally {
      await rx.close();
      await varsel.stop();
    }
  },
};
