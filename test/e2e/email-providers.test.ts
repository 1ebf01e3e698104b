// The e-mail providers inside `wrangler dev`: SMTP over cloudflare:sockets to a real smtp-server on
// loopback (parsed with mailparser), and the Resend provider against a loopback server speaking
// Resend's wire format, plus its Svix-signed delivery webhook. Driven through the test-only routes
// that exist when VARSEL_TEST_ROUTES=true (src/email/test-routes.ts).
import { createServer, type Server } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp";
import { freePort as closedPort, startVarsel, type Varsel } from "./harness";

interface Mail {
  to: string;
  from: string;
  subject: string;
  body: string;
  contentType?: "Plain" | "Html";
  idempotencyKey: string;
}
type Result =
  | { ok: true; providerMessageId: string }
  | { ok: false; transient: boolean; invalidAddress?: boolean; error: string };

async function send(varsel: Varsel, ...mails: Mail[]): Promise<Result[]> {
  const res = await fetch(`${varsel.base}/__test/email/send`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ mails }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: Result[] }).results;
}

const FROM = "Varsel <noreply@varsel.test>";
const mail = (to: string, extra: Partial<Mail> = {}): Mail => ({
  to,
  from: FROM,
  subject: "Hei",
  body: "Hallo",
  idempotencyKey: crypto.randomUUID(),
  ...extra,
});

describe.each([{ pipelining: true }, { pipelining: false }])(
  "SMTP provider over cloudflare:sockets (server PIPELINING: $pipelining)",
  ({ pipelining }) => {
    let smtp: SmtpSink;
    let varsel: Varsel;
    beforeAll(async () => {
      smtp = await startSmtpSink({ auth: { user: "varsel", password: "s3cret pass" }, pipelining });
      varsel = await startVarsel({
        SMTP_HOST: smtp.host,
        SMTP_PORT: String(smtp.port),
        SMTP_USER: "varsel",
        SMTP_PASSWORD: "s3cret pass",
        EMAIL_FROM: FROM,
        VARSEL_TEST_ROUTES: "true",
      });
    });
    afterAll(async () => {
      await varsel?.stop();
      await smtp?.close();
    });

    it("delivers UTF-8 plain and HTML mail with Message-ID and idempotency key, both on one authenticated connection", async () => {
      smtp.messages.length = 0;
      const plain = mail("kari@example.no", {
        subject: "Varsel om søknad — æøå ✓ ".repeat(4).trim(),
        body: "Hei Kari,\n.en linje som starter med punktum\n..og to\nHilsen ÆØÅ",
        idempotencyKey: "notif-1b2c",
      });
      const html = mail("ola@example.no", {
        subject: "HTML",
        body: "<p>Hei <b>Ola</b> – æøå</p>",
        contentType: "Html",
      });
      const [r1, r2] = await send(varsel, plain, html);
      expect(r1).toEqual({ ok: true, providerMessageId: "<varsel.notif-1b2c@varsel.test>" });
      expect(r2).toMatchObject({ ok: true });
      const got = await smtp.waitForMessages(2);
      const p = got.find((m) => m.envelope.to[0] === "kari@example.no")!;
      expect(p.subject).toBe(plain.subject);
      expect(p.text.trim()).toBe(plain.body);
      expect(p.html).toBe("");
      expect(p.messageId).toBe("<varsel.notif-1b2c@varsel.test>");
      expect(p.headers["x-idempotency-key"]).toBe("notif-1b2c");
      expect(p.from).toBe('"Varsel" <noreply@varsel.test>');
      expect(p.envelope.from).toBe("noreply@varsel.test");
      const h = got.find((m) => m.envelope.to[0] === "ola@example.no")!;
      expect(h.html.trim()).toBe(html.body);
      expect(h.headers["content-type"]).toContain("text/html");
      expect(h.messageId).toBe((r2 as { providerMessageId: string }).providerMessageId);
    });

    it("maps refusals: 553 on RCPT is an invalid address, 451 transient, 550 permanent; the next mail still goes out", async () => {
      smtp.messages.length = 0;
      smtp.setReply((rcpt) =>
        rcpt.startsWith("bad")
          ? { code: 553, message: "5.1.3 Bad recipient address syntax" }
          : rcpt.startsWith("later")
            ? { code: 451, message: "4.3.0 Try again later" }
            : rcpt.startsWith("gone")
              ? { code: 550, message: "5.1.1 No such user" }
              : null,
      );
      try {
        const results = await send(
          varsel,
          mail("bad@example.no"),
          mail("later@example.no"),
          mail("gone@example.no"),
          mail("fine@example.no"),
        );
        expect(results[0]).toMatchObject({ ok: false, transient: false, invalidAddress: true });
        expect(results[0]!.ok === false && results[0]!.error).toContain("553");
        expect(results[1]).toMatchObject({ ok: false, transient: true });
        expect(results[2]).toMatchObject({ ok: false, transient: false });
        expect(results[2]).not.toHaveProperty("invalidAddress");
        expect(results[3]).toMatchObject({ ok: true });
        const got = await smtp.waitForMessages(1);
        expect(got.map((m) => m.envelope.to[0])).toEqual(["fine@example.no"]);
      } finally {
        smtp.setReply(null);
      }
    });

    it("reports a server that is down as transient, and sends again once it is back", async () => {
      smtp.messages.length = 0;
      await smtp.down();
      try {
        const [r] = await send(varsel, mail("down@example.no"));
        expect(r).toMatchObject({ ok: false, transient: true });
      } finally {
        await smtp.up();
      }
      const [r] = await send(varsel, mail("up@example.no"));
      expect(r).toMatchObject({ ok: true });
      expect((await smtp.waitForMessages(1))[0]!.envelope.to).toEqual(["up@example.no"]);
    });

    it("refuses a malformed recipient without talking to the server", async () => {
      const [r] = await send(varsel, mail("not an address"));
      expect(r).toMatchObject({ ok: false, transient: false, invalidAddress: true });
    });
  },
);

// ---- Resend ----

const WEBHOOK_SECRET = "whsec_" + Buffer.from("resend-webhook-secret-for-tests!").toString("base64");

interface FakeResend {
  url: string;
  requests: { headers: Record<string, string | string[] | undefined>; body: Record<string, unknown> }[];
  sent: Map<string, string>;
  close(): Promise<void>;
}

/** Speaks Resend's `POST /emails`: bearer key, Idempotency-Key replay, `{id}` or `{statusCode, name, message}`. */
async function startFakeResend(apiKey: string): Promise<FakeResend> {
  const requests: FakeResend["requests"] = [];
  const sent = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.method !== "POST" || req.url !== "/emails")
        return reply(404, { statusCode: 404, name: "not_found", message: "The requested endpoint does not exist." });
      if (req.headers.authorization !== `Bearer ${apiKey}`)
        return reply(401, {
          statusCode: 401,
          name: "missing_api_key",
          message: "Missing API key in the authorization header.",
        });
      const body = JSON.parse(raw) as { to: string[] };
      requests.push({ headers: req.headers, body });
      const to = body.to[0] ?? "";
      if (to.startsWith("invalid"))
        return reply(422, {
          statusCode: 422,
          name: "validation_error",
          message:
            "Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.",
        });
      if (to.startsWith("busy"))
        return reply(429, {
          statusCode: 429,
          name: "rate_limit_exceeded",
          message: "Too many requests. You can only make 2 requests per second.",
        });
      const key = String(req.headers["idempotency-key"] ?? crypto.randomUUID());
      if (!sent.has(key)) sent.set(key, crypto.randomUUID());
      reply(200, { id: sent.get(key) });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests, sent, close: () => new Promise((r) => server.close(() => r())) };
}

describe("Resend provider and its delivery webhook", () => {
  let resend: FakeResend;
  let varsel: Varsel;
  beforeAll(async () => {
    resend = await startFakeResend("re_test_key");
    varsel = await startVarsel({
      EMAIL_PROVIDER: "resend",
      EMAIL_API_URL: resend.url,
      EMAIL_API_KEY: "re_test_key",
      EMAIL_WEBHOOK_SECRET: WEBHOOK_SECRET,
      EMAIL_FROM: FROM,
      VARSEL_TEST_ROUTES: "true",
    });
  });
  afterAll(async () => {
    await varsel?.stop();
    await resend?.close();
  });

  it("posts Resend's request shape with the idempotency key; a retry returns the same id and sends nothing new", async () => {
    const m = mail("kari@example.no", {
      subject: "Hei ÆØÅ",
      body: "<p>Hei</p>",
      contentType: "Html",
      idempotencyKey: "notif-42",
    });
    const [first] = await send(varsel, m);
    const [again] = await send(varsel, m);
    expect(first).toMatchObject({ ok: true });
    expect(again).toEqual(first);
    expect(resend.sent.size).toBe(1);
    const req = resend.requests.at(-1)!;
    expect(req.headers["idempotency-key"]).toBe("notif-42");
    expect(req.body).toEqual({
      from: FROM,
      to: ["kari@example.no"],
      subject: "Hei ÆØÅ",
      html: "<p>Hei</p>",
      headers: { "X-Idempotency-Key": "notif-42" },
    });
  });

  it("maps a refused recipient to an invalid address and 429 or an unreachable API to transient", async () => {
    const [invalid, busy] = await send(varsel, mail("invalid@example"), mail("busy@example.no"));
    expect(invalid).toMatchObject({ ok: false, transient: false, invalidAddress: true });
    expect(busy).toMatchObject({ ok: false, transient: true });
  });

  it("verifies the Svix signature of delivery webhooks: delivered and bounced map, a wrong signature is 401", async () => {
    const body = JSON.stringify({
      type: "email.delivered",
      created_at: new Date().toISOString(),
      data: { email_id: "0f6e6f3c-1f7e-4a7e-9a3e-7d0e0c8a9b11", to: ["kari@example.no"] },
    });
    const id = "msg_" + crypto.randomUUID();
    const now = new Date();
    const headers = {
      "content-type": "application/json",
      "svix-id": id,
      "svix-timestamp": String(Math.floor(now.getTime() / 1000)),
      "svix-signature": new Webhook(WEBHOOK_SECRET).sign(id, now, body),
    };
    let res = await fetch(`${varsel.base}/__test/email/webhook`, { method: "POST", headers, body });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { reports: { status: string; providerMessageId: string }[] }).reports).toMatchObject([
      { status: "Delivered", providerMessageId: "0f6e6f3c-1f7e-4a7e-9a3e-7d0e0c8a9b11" },
    ]);

    const wrong = new Webhook("whsec_" + Buffer.from("some-other-secret-some-other-sec").toString("base64")).sign(
      id,
      now,
      body,
    );
    res = await fetch(`${varsel.base}/__test/email/webhook`, {
      method: "POST",
      headers: { ...headers, "svix-signature": wrong },
      body,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  });
});

describe("Resend provider with the API down", () => {
  it("reports the failure as transient", async () => {
    const port = await closedPort();
    const varsel = await startVarsel({
      EMAIL_PROVIDER: "resend",
      EMAIL_API_URL: `http://127.0.0.1:${port}`,
      EMAIL_API_KEY: "k",
      VARSEL_TEST_ROUTES: "true",
    });
    try {
      const [r] = await send(varsel, mail("kari@example.no"));
      expect(r).toMatchObject({ ok: false, transient: true });
    } finally {
      await varsel.stop();
    }
  });
});
