// A receiver that takes 3 s per push beside one that answers at once: the fast one's pushes do not
// wait for the slow one (one object, one queue, per subscription).
import { createServer } from "node:http";
import { publishMany, settle, setUpFanOut, start, startReceiver, tally } from "../lib.mjs";

async function slowReceiver(delayMs) {
  const all = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      let json = {};
      try {
        json = JSON.parse(body);
      } catch {}
      const validation = json.type === "platform.events.validatesubscription";
      if (!validation) all.push({ headers: req.headers, body, json });
      setTimeout(() => res.writeHead(200).end(), validation ? 0 : delayMs);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/slow`,
    pushes: () => all,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export default {
  name: "slow-beside-fast",
  description: "one receiver answers each push after 3 s, another at once; 15 events to both",
  async run() {
    const varsel = await start();
    const fast = await startReceiver();
    const slow = await slowReceiver(3000);
    try {
      const fan = await setUpFanOut(varsel.base, [fast.url, slow.url], "chaos-slow");
      const t0 = Date.now();
      const ids = await publishMany(varsel.base, fan, 15);
      const fastSub = { ...fan, subscriptionIds: [fan.subscriptionIds[0]] };
      const fastMs = await settle(() => tally([fast], fastSub, ids).missing === 0, 120_000);
      const slowMs =
        (fastMs ?? 0) + ((await settle(() => tally([fast, slow], fan, ids).missing === 0, 180_000)) ?? 180_000);
      return {
        ...tally([fast, slow], fan, ids),
        settleMs: Date.now() - t0,
        notes: `after the last publish: fast receiver had all pushes in ${(fastMs ?? 0) / 1000} s, the slow one in ${slowMs / 1000} s`,
      };
    } finally {
      await fast.close();
      await slow.close();
      await varsel.stop();
    }
  },
};
