// `npm run bench -- email`: e-mails/s of a 10,000-recipient order, from the 202 to the SMTP sink having
// accepted every message (wrangler dev: cron, D1, the e-mail queue, SMTP over cloudflare:sockets),
// beside a nodemailer loop (6 pooled connections, as many as one Worker invocation may open) sending
// as many messages to the same sink, in interleaved pairs. Before every baseline the order is
// Completed and the sink quiet; the harness's cron ticker is paused while the baseline runs.
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { interleaved, pairCount, report, setting, sleep, startVarsel, ticker, token, waitFor } from "./lib.mjs";

const NODE_CONNECTIONS = 6;

/** A loopback SMTP server that accepts everything and only counts (no parsing, so it is not the bottleneck). */
async function startCountingSink() {
  const sink = { accepted: 0, lastAccepted: performance.now() };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    size: 1024 * 1024,
    onData(stream, _session, cb) {
      stream.on("data", () => {});
      stream.on("end", () => {
        sink.accepted++;
        sink.lastAccepted = performance.now();
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
  return { sent: sink.accepted - start, seconds, value: (sink.accepted - start) / seconds };
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
  const sent = sink.accepted - start;
  // Idle before anything else runs: the order Completed (every outcome stored) and the sink quiet.
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
    300_000,
    "order completed",
  );
  while (performance.now() - sink.lastAccepted < 1000) await sleep(100);
  return { sent, seconds, value: sent / seconds, succeeded: status.notificationsStatusSummary.email.succeeded };
}

export default async function emailBench() {
  const n = setting("BENCH_EMAIL_RECIPIENTS", 10_000);
  const pairs = pairCount();
  const sink = await startCountingSink();
  const varsel = await startVarsel({ SMTP_HOST: "127.0.0.1", SMTP_PORT: String(sink.port) });
  const cron = ticker(varsel.base, 1);
  try {
    const auth = `Bearer ${await token({ org: "ttd", scope: "altinn:serviceowner/notifications.create" })}`;
    const order = async (size) => {
      cron.resume();
      try {
        return await varselOrder(varsel, sink, auth, size);
      } finally {
        await cron.pause();
      }
    };
    await order(20); // warm-up: compile paths, open the queue
    await nodeLoop(sink, 200);
    const rows = await interleaved({ pairs, varsel: () => order(n), baseline: () => nodeLoop(sink, n) });
    console.log(
      `\norder of ${n} plain addresses, 202 -> SMTP accepted, harness cron tick every 1 s while Varsel runs; nodemailer: ${NODE_CONNECTIONS} pooled connections; ${pairs} interleaved pairs`,
    );
    return report({
      figure: "e-mail",
      unit: "e-mails/s",
      varselLabel: "Varsel order",
      baselineLabel: "nodemailer loop",
      rows,
      goal: { of: "ratio", text: "≥ 0.5", test: (m) => m >= 0.5 },
      extra: [
        ["Varsel s", (r) => r.v.seconds],
        ["nodemailer s", (r) => r.b.seconds],
        ["succeeded", (r) => r.v.succeeded],
      ],
    });
  } finally {
    await cron.pause();
    await varsel.stop();
    await sink.close();
  }
}
