// `npm run bench -- email`: e-mails per second from "order accepted" (the 202) to "accepted by the
// SMTP server" for orders of 1,000 and 10,000 plain addresses, through wrangler dev (cron ticker,
// D1, the e-mail queue, SMTP over cloudflare:sockets), beside a plain SMTP send loop from Node
// (nodemailer, same number of connections as a Worker invocation may open) to the same sink in the same run.
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { printTable, startVarsel, token, waitFor } from "./lib.mjs";

const SIZES = (process.env.BENCH_EMAIL_SIZES ?? "1000,10000").split(",").map(Number);
const NODE_CONNECTIONS = 6;

/** A loopback SMTP server that accepts everything and only counts (no parsing, so it is not the bottleneck). */
async function startCountingSink() {
  const sink = { accepted: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    size: 1024 * 1024,
    onData(stream, _session, cb) {
      stream.on("data", () => {});
      stream.on("end", () => {
        sink.accepted++;
        cb(null);
      });
    },
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  sink.port = server.server.address().port;
  sink.close = () => new Promise((r) => server.close(r));
  return sink;
}

async function nodeLoop(sink, n) {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: sink.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: NODE_CONNECTIONS,
    maxMessages: Infinity,
  });
  const start = sink.accepted;
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: NODE_CONNECTIONS }, async () => {
      while (next < n) {
        const i = next++;
        await transport.sendMail({
          from: "noreply@varsel.example",
          to: `node${i}@bench.example`,
          subject: "Bench",
          text: `Message ${i}`,
        });
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  transport.close();
  return { sent: sink.accepted - start, seconds };
}

async function varselOrder(varsel, sink, auth, n) {
  const run = Date.now();
  const recipients = Array.from({ length: n }, (_, i) => ({ emailAddress: `r${i}.${run}@bench.example` }));
  const start = sink.accepted;
  const res = await fetch(`${varsel.base}/notifications/api/v1/orders/email`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify({ subject: "Bench $recipientName$", body: "Message to $recipientNumber$", recipients }),
  });
  if (res.status !== 202) throw new Error(`order of ${n}: ${res.status} ${await res.text()}`);
  const t0 = performance.now();
  // Wait until all arrived; give up (and show Varsel's log) when nothing arrives for a minute.
  let last = -1;
  let lastChange = performance.now();
  await waitFor(
    () => {
      const got = sink.accepted - start;
      if (got !== last) [last, lastChange] = [got, performance.now()];
      else if (performance.now() - lastChange > 60_000)
        throw new Error(`stalled at ${got} of ${n} e-mails:\n${varsel.output().slice(-4000)}`);
      return got >= n;
    },
    30 * 60_000,
    `${n} e-mails at the sink`,
  );
  const seconds = (performance.now() - t0) / 1000;
  const { orderId } = await res.json();
  const status = await waitFor(
    async () => {
      const s = await (
        await fetch(`${varsel.base}/notifications/api/v1/orders/${orderId}/status`, {
          headers: { authorization: auth },
        })
      ).json();
      return s.processingStatus.status === "Completed" ? s : null;
    },
    120_000,
    "order completed",
  );
  return { sent: sink.accepted - start, seconds, succeeded: status.notificationsStatusSummary.email.succeeded };
}

export default async function emailBench() {
  const sink = await startCountingSink();
  const varsel = await startVarsel({ SMTP_HOST: "127.0.0.1", SMTP_PORT: String(sink.port), CRON_TICK_SECONDS: "1" });
  try {
    const auth = `Bearer ${await token({ org: "ttd", scope: "altinn:serviceowner/notifications.create" })}`;
    await varselOrder(varsel, sink, auth, 20); // warm-up: compile paths, open the queue
    await nodeLoop(sink, 200);
    const rows = [];
    for (const n of SIZES) {
      const v = await varselOrder(varsel, sink, auth, n);
      const p = await nodeLoop(sink, n);
      rows.push({
        target: `Varsel order of ${n}`,
        "e-mails": v.sent,
        seconds: v.seconds,
        "e-mails/s": v.sent / v.seconds,
        succeeded: v.succeeded,
      });
      rows.push({
        target: `Node SMTP loop, ${n}`,
        "e-mails": p.sent,
        seconds: p.seconds,
        "e-mails/s": p.sent / p.seconds,
        succeeded: p.sent,
      });
    }
    console.log(
      `order accepted (202) -> SMTP accepted, wrangler dev on this machine, CRON_TICK_SECONDS=1; Node loop: nodemailer, ${NODE_CONNECTIONS} pooled connections`,
    );
    printTable(rows);
    return rows;
  } finally {
    await varsel.stop();
    await sink.close();
  }
}
