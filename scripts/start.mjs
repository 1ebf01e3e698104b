// `npm start`: the whole service on this machine. Migrates and seeds local D1, starts the mail
// catcher (unless SMTP_HOST is set), runs `wrangler dev` with local D1, Queues and Durable Objects,
// and fires the scheduled handler every CRON_TICK_SECONDS. Configuration comes from the
// environment (SPEC §6), so a test harness can point it at its own peers.
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEV_DIR, DEV_ISSUER, ROOT, devKeys } from "./lib/devkeys.mjs";
import { seed, seedSubscription } from "./lib/seed.mjs";
import { startMailCatcher } from "./lib/mail-catcher.mjs";
import { buildConsole } from "./build-console.mjs";
import { startSmsCatcher } from "./lib/sms-catcher.mjs";

const env = process.env;
const port = Number(env.PORT ?? 8787);
const stateDir = env.VARSEL_STATE_DIR ?? join(ROOT, ".wrangler", "state");
const tick = Number(env.CRON_TICK_SECONDS ?? 5) > 0 ? Number(env.CRON_TICK_SECONDS ?? 5) : 5;
const base = `http://localhost:${port}`;
const log = (msg) => console.log(`[varsel] ${msg}`);

const children = [];
const closers = [];
let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  for (const close of closers) await close().catch(() => {});
  process.exit(code);
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

const wrangler = join(ROOT, "node_modules", ".bin", "wrangler");
const quietEnv = { ...env, WRANGLER_SEND_METRICS: "false", NO_D1_WARNING: "true" };

// The console's static assets (wrangler.toml [assets]); rebuilt only when console/ changed.
if (await buildConsole()) log("console built into console/dist");

log(`applying D1 migrations to ${stateDir}`);
const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir], {
  cwd: ROOT,
  env: { ...quietEnv, CI: "true" },
  encoding: "utf8",
});
if (migrate.status !== 0) {
  console.error(migrate.stdout, migrate.stderr);
  process.exit(1);
}

// SMS_GATEWAY_URL set: SMS go to that PSWin gateway and no SMS catcher runs. Otherwise the catcher
// speaks the gateway protocol on loopback and reports DELIVRD back (SPEC §5.7).
const sms = {
  gatewayUrl: env.SMS_GATEWAY_URL,
  user: env.SMS_GATEWAY_USER ?? (env.SMS_GATEWAY_URL ? "" : "varsel"),
  password: env.SMS_GATEWAY_PASSWORD ?? (env.SMS_GATEWAY_URL ? "" : "local-gateway"),
  reportUser: env.SMS_REPORT_USER ?? (env.SMS_GATEWAY_URL ? "" : "varsel-reports"),
  reportPassword: env.SMS_REPORT_PASSWORD ?? (env.SMS_GATEWAY_URL ? "" : "local-reports"),
};
let smsCatcher = null;
if (!sms.gatewayUrl) {
  smsCatcher = await startSmsCatcher({
    port: Number(env.SMS_CATCHER_PORT ?? 1090),
    user: sms.user,
    password: sms.password,
    reportUrl: `http://127.0.0.1:${port}/notifications/api/v1/sms/reports`,
    reportUser: sms.reportUser,
    reportPassword: sms.reportPassword,
  });
  closers.push(smsCatcher.close);
  sms.gatewayUrl = smsCatcher.gatewayUrl;
  log(`SMS catcher: PSWin gateway at ${smsCatcher.gatewayUrl}, SMS page at http://localhost:${smsCatcher.port}/sms`);
}

// SMTP_HOST or SMTP_PORT set: mail goes there (host defaulting to this machine), and no catcher runs.
let smtpHost = env.SMTP_HOST || (env.SMTP_PORT ? "127.0.0.1" : undefined);
let smtpPort = env.SMTP_PORT;
if (!smtpHost) {
  const catcher = await startMailCatcher({
    smtpPort: Number(env.MAIL_CATCHER_SMTP_PORT ?? 1025),
    webPort: Number(env.MAIL_CATCHER_WEB_PORT ?? 1080),
    sms: smsCatcher,
  });
  closers.push(catcher.close);
  smtpHost = "127.0.0.1";
  smtpPort = String(catcher.smtpPort);
  log(`mail catcher: SMTP on 127.0.0.1:${catcher.smtpPort}, inbox at http://localhost:${catcher.webPort}`);
}

const keys = await devKeys();
const vars = {
  AUTH_JWKS: JSON.stringify(keys.jwks),
  AUTH_ISSUERS: DEV_ISSUER,
  // Local development maps every org's Platform Access Tokens to the dev key (SPEC §2); production never does.
  PLATFORM_JWKS: JSON.stringify({ "*": keys.jwks }),
  ALLOW_INSECURE_ENDPOINTS: env.ALLOW_INSECURE_ENDPOINTS ?? "true",
  PUSH_RETRY_SCHEDULE: env.PUSH_RETRY_SCHEDULE ?? "10,30,60,300,600,1800,3600,10800,21600,43200,43200",
  SMTP_HOST: smtpHost,
  SMTP_PORT: smtpPort ?? "25",
  EMAIL_PROVIDER: env.EMAIL_PROVIDER ?? "smtp",
  // The console's dev sign-in mints tokens with the development key (SPEC §8); never in production.
  DEV_SIGNING_JWK: JSON.stringify(keys.privateJwk),
  ...(env.VALIDATION_RETRY_SCHEDULE ? { VALIDATION_RETRY_SCHEDULE: env.VALIDATION_RETRY_SCHEDULE } : {}),
  ...(env.PUSH_TIMEOUT_SECONDS ? { PUSH_TIMEOUT_SECONDS: env.PUSH_TIMEOUT_SECONDS } : {}),
  ...(env.EMAIL_API_URL ? { EMAIL_API_URL: env.EMAIL_API_URL } : {}),
  ...(env.EMAIL_API_KEY ? { EMAIL_API_KEY: env.EMAIL_API_KEY } : {}),
  ...(env.EMAIL_WEBHOOK_SECRET ? { EMAIL_WEBHOOK_SECRET: env.EMAIL_WEBHOOK_SECRET } : {}),
  SMS_PROVIDER: env.SMS_PROVIDER ?? "linkmobility",
  SMS_GATEWAY_URL: sms.gatewayUrl,
  SMS_GATEWAY_USER: sms.user,
  SMS_GATEWAY_PASSWORD: sms.password,
  SMS_REPORT_USER: sms.reportUser,
  SMS_REPORT_PASSWORD: sms.reportPassword,
  // Locally SMS go out at any hour unless SMS_DAYTIME says otherwise (production default: 09-17).
  SMS_DAYTIME: env.SMS_DAYTIME ?? "00-24",
  ...Object.fromEntries(
    ["SMS_TIME_ZONE", "SMS_RETRY_SCHEDULE", "SMS_DEFAULT_SENDER"].filter((k) => env[k]).map((k) => [k, env[k]]),
  ),
  ...Object.fromEntries(
    [
      "EMAIL_FROM",
      "SMTP_USER",
      "SMTP_PASSWORD",
      "SMTP_STARTTLS",
      "SMTP_TIMEOUT_MS",
      "VARSEL_TEST_ROUTES",
      "EMAIL_RETRY_SCHEDULE",
      "MAX_SUBSCRIPTIONS_PER_CONSUMER",
      // The partitioned event log (docs/event-log.md).
      "EVENT_LOG",
      "EVENT_LOG_ARCHIVE_AFTER",
      "EVENT_LOG_SEGMENT_BYTES",
    ]
      .filter((k) => env[k])
      .map((k) => [k, env[k]]),
  ),
};
mkdirSync(DEV_DIR, { recursive: true });
const envFile = join(DEV_DIR, `vars-${port}.env`);
// dotenv takes a quoted value literally (no escapes), so quote with a character the value lacks.
function envLine(key, value) {
  const v = String(value);
  const quote = ["'", '"', "`"].find((q) => !v.includes(q));
  if (!quote || v.includes("\n"))
    throw new Error(`${key} cannot be written to an env file: it contains newlines or all of ' " \``);
  return `${key}=${quote}${v}${quote}`;
}
writeFileSync(
  envFile,
  Object.entries(vars)
    .map(([k, v]) => envLine(k, v))
    .join("\n") + "\n",
  { mode: 0o600 },
);

const dev = spawn(
  wrangler,
  [
    "dev",
    "--local",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--persist-to",
    stateDir,
    "--env-file",
    envFile,
    "--test-scheduled",
    "--show-interactive-dev-session=false",
    "--inspector-port",
    "0",
  ],
  { cwd: ROOT, env: quietEnv, stdio: ["ignore", "inherit", "inherit"] },
);
children.push(dev);
dev.on("exit", (code) => {
  if (!stopping) {
    log(`wrangler dev exited with ${code}`);
    stop(code ?? 1);
  }
});

async function waitHealthy() {
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(`${base}/health`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("wrangler dev did not become healthy within 120 s");
}
await waitHealthy();
await seed(base, keys);
log(`seeded demo data (org ttd, resource urn:altinn:resource:ttd-demo-events, app ttd/apps-test)`);

// Demo subscriptions' receiver: logs each push to the seeded subscription and checks its signature.
let demoSecret = null;
const demoReceiver = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    let check = "signature not checked";
    try {
      if (demoSecret) new Webhook(demoSecret).verify(body, req.headers), (check = "signature ok");
    } catch {
      check = "BAD SIGNATURE";
    }
    let what = "";
    try {
      const e = JSON.parse(body);
      what = `${e.type} ${e.id}`;
    } catch {}
    log(`demo receiver: ${what} (${check})`);
    res.writeHead(200).end();
  });
});
const demoPort = await new Promise((resolve) => {
  const at = (p) => demoReceiver.listen(p, "127.0.0.1", () => resolve(demoReceiver.address().port));
  demoReceiver.once("error", () => at(0)); // port taken (another instance): any free port
  at(Number(env.DEMO_RECEIVER_PORT ?? 8789));
});
closers.push(() => new Promise((r) => demoReceiver.close(() => r())));
if (vars.ALLOW_INSECURE_ENDPOINTS === "true") {
  const demoSub = await seedSubscription(base, keys, `http://127.0.0.1:${demoPort}/hook`);
  demoSecret = demoSub.secret;
  log(
    `demo receiver on http://127.0.0.1:${demoPort}/hook: subscription ${demoSub.id} (ttd, urn:altinn:resource:ttd-demo-events)`,
  );
}

// Local cron: wrangler dev does not fire crons on its own; --test-scheduled exposes /__scheduled.
const ticker = setInterval(() => {
  fetch(`${base}/__scheduled?cron=${encodeURIComponent("* * * * *")}`).catch(() => {});
}, tick * 1000);
closers.push(async () => clearInterval(ticker));
log(`ready on ${base} (scheduled handler every ${tick} s)`);
