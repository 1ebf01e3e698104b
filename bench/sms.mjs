// `npm run bench -- sms`: SMS per second from a 10,000-recipient SMS order's 202 to a PSWin gateway
// having accepted all of them, through wrangler dev (cron ticker, D1, the SMS queue, one XML session
// per queue batch, the status events they publish), beside a plain Node loop posting the same XML
// (src/sms/xml.ts, sessions of 100 like a queue batch) to the same fake gateway in the same run.
// Interleaved pairs (BENCH_SMS_PAIRS, at least 3), each pair's ratio, and the median ratio.
// BENCH_SMS_SIZE (default 10000) sets the order size. Run it on an idle machine.
import { createServer } from "node:http";
import { XMLParser } from "fast-xml-parser";
import { buildSession } from "../src/sms/xml.ts";
import { printTable, startVarsel, token, waitFor } from "./lib.mjs";

const SIZE = Number(process.env.BENCH_SMS_SIZE ?? 10_000);
const PAIRS = Math.max(3, Number(process.env.BENCH_SMS_PAIRS ?? 3));
const SESSION = 100;
const USER = "bench-user";
const PASSWORD = "bench-pass";

/** A loopback PSWin gateway: parses each session's XML, answers OK with a REF per message, counts. */
async function startGateway() {
  const gw = { accepted: 0 };
  const parser = new XMLParser({ parseTagValue: false, isArray: (n) => n === "MSG" });
  let ref = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("latin1");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const doc = parser.parse(body);
      const msgs = (doc.SESSION?.MSGLST?.MSG ?? []).map(
        (m) => `<MSG><ID>${m.ID}</ID><STATUS>OK</STATUS><INFO></INFO><REF>BENCH-${++ref}</REF></MSG>`,
      );
      gw.accepted += msgs.length;
      res.writeHead(200, { "content-type": "text/xml" });
      res.end(
        `<?xml version="1.0"?><SESSION><LOGON>OK</LOGON><REASON></REASON><MSGLST>${msgs.join("")}</MSGLST></SESSION>`,
      );
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  gw.url = `http://127.0.0.1:${server.address().port}/pswin`;
  gw.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(r);
    });
  return gw;
}

const number = (i) => `+4791${String(i % 1_000_000).padStart(6, "0")}`;

/** The baseline: the same sessions, built by the same code, posted one after another. */
async function nodeLoop(gw, n) {
  const start = gw.accepted;
  const t0 = performance.now();
  for (let i = 0; i < n; i += SESSION) {
    const msgs = Array.from({ length: Math.min(SESSION, n - i) }, (_, k) => ({
      id: String(k + 1),
      text: "Bench message",
      sender: "Altinn",
      receiver: number(i + k),
      ttlMinutes: 2880,
    }));
    const res = await fetch(gw.url, {
      method: "POST",
      headers: { "content-type": "text/xml; charset=utf-8" },
      body: buildSession(USER, PASSWORD, msgs),
    });
    await res.text();
  }
  return { sent: gw.accepted - start, seconds: (performance.now() - t0) / 1000 };
}

async function varselOrder(varsel, gw, auth, n) {
  const recipients = Array.from({ length: n }, (_, i) => ({ mobileNumber: number(i) }));
  const start = gw.accepted;
  const res = await fetch(`${varsel.base}/notifications/api/v1/orders/sms`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify({ body: "Bench message", recipients }),
  });
  if (res.status !== 202) throw new Error(`order of ${n}: ${res.status} ${await res.text()}`);
  const t0 = performance.now();
  let last = -1;
  let lastChange = performance.now();
  await waitFor(
    () => {
      const got = gw.accepted - start;
      if (got !== last) [last, lastChange] = [got, performance.now()];
      else if (performance.now() - lastChange > 60_000)
        throw new Error(`stalled at ${got} of ${n} SMS:\n${varsel.output().slice(-4000)}`);
      return got >= n;
    },
    30 * 60_000,
    `${n} SMS at the gateway`,
  );
  return { sent: gw.accepted - start, seconds: (performance.now() - t0) / 1000 };
}

export default async function smsBench() {
  const gw = await startGateway();
  const varsel = await startVarsel({
    SMS_GATEWAY_URL: gw.url,
    SMS_GATEWAY_USER: USER,
    SMS_GATEWAY_PASSWORD: PASSWORD,
    SMS_DAYTIME: "00-24",
    CRON_TICK_SECONDS: "1",
  });
  try {
    const auth = `Bearer ${await token({ org: "ttd", scope: "altinn:serviceowner/notifications.create" })}`;
    await varselOrder(varsel, gw, auth, 20); // warm-up
    await nodeLoop(gw, 200);
    const rows = [];
    const ratios = [];
    for (let pair = 1; pair <= PAIRS; pair++) {
      const v = await varselOrder(varsel, gw, auth, SIZE);
      const p = await nodeLoop(gw, SIZE);
      const ratio = v.sent / v.seconds / (p.sent / p.seconds);
      ratios.push(ratio);
      rows.push({
        target: `pair ${pair}: Varsel order of ${SIZE}`,
        SMS: v.sent,
        seconds: v.seconds,
        "SMS/s": v.sent / v.seconds,
        ratio,
      });
      rows.push({
        target: `pair ${pair}: Node XML loop, ${SIZE}`,
        SMS: p.sent,
        seconds: p.seconds,
        "SMS/s": p.sent / p.seconds,
        ratio: "",
      });
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `order accepted (202) -> gateway accepted all, wrangler dev on this machine, CRON_TICK_SECONDS=1; Node loop: sessions of ${SESSION} posted one after another`,
    );
    printTable(rows);
    console.log(`median ratio Varsel / Node: ${median.toFixed(2)} (goal >= 0.5)`);
    return { rows, ratios, median };
  } finally {
    await varsel.stop();
    await gw.close();
  }
}
