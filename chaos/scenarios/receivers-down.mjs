// Receivers go away (connection refused) while events are published, and come back 20 s later on
// the same ports: every push arrives through the retry schedule.
import { FAST_RETRIES, publishMany, settle, setUpFanOut, sleep, start, startReceiver, tally } from "../lib.mjs";

export default {
  name: "receivers-down-and-back",
  description: "5 receivers refuse connections for 20 s while 20 events are published, then come back",
  async run() {
    const varsel = await start();
    let receivers = await Promise.all(Array.from({ length: 5 }, () => startReceiver()));
    const ports = receivers.map((r) => r.port);
    const history = [];
    try {
      const fan = await setUpFanOut(
        varsel.base,
        receivers.map((r) => r.url),
        "chaos-down",
      );
      for (const r of receivers) await r.close();
      history.push(...receivers);
      const ids = await publishMany(varsel.base, fan, 20);
      await sleep(20_000);
      receivers = await Promise.all(ports.map((port) => startReceiver({ port })));
      const all = () => [...history, ...receivers];
      const ms = await settle(() => tally(all(), fan, ids).missing === 0, 180_000);
      return {
        ...tally(all(), fan, ids),
        settleMs: ms ?? 180_000,
        notes: `retries ${FAST_RETRIES} s; settle counted from the receivers' return`,
      };
    } finally {
      for (const r of receivers) await r.close().catch(() => {});
      await varsel.stop();
    }
  },
};
