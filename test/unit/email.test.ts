import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { parseDeliveryWebhook } from "../../src/email/webhook";
import { resultOfStatus } from "../../src/email/resend/provider";
import { buildMessage, dataSection, encodeHeaderText, messageIdFor, parseMailbox } from "../../src/email/smtp/mime";
import { resultOfReply } from "../../src/email/smtp/provider";
import { SmtpReplyError } from "../../src/email/smtp/session";
import { HttpFailure } from "../../src/http/problem";
import type { Env } from "../../src/env";

const SECRET = "whsec_" + btoa("a-32-byte-long-secret-for-tests!");
const env = { EMAIL_WEBHOOK_SECRET: SECRET } as Env;
const NOW = new Date("2026-11-22T10:00:00Z");

function signed(payload: unknown, opts: { secret?: string; at?: Date; id?: string; tamper?: boolean } = {}): Request {
  const body = JSON.stringify(payload);
  const id = opts.id ?? "msg_2abc";
  const at = opts.at ?? NOW;
  const signature = new Webhook(opts.secret ?? SECRET).sign(id, at, body);
  return new Request("https://varsel.test/hook", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "svix-id": id,
      "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
      "svix-signature": `v1,bm90LXRoaXMtb25l ${signature}`,
    },
    body: opts.tamper ? body.replace("delivered", "bounced") : body,
  });
}

async function failureOf(p: Promise<unknown>): Promise<HttpFailure["failure"]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpFailure) return e.failure;
    throw e;
  }
  throw new Error("expected a failure");
}

describe("Resend delivery webhook (Svix signatures, made with the Standard Webhooks library)", () => {
  it("maps delivered and bounced events to reports", async () => {
    const delivered = {
      type: "email.delivered",
      created_at: "2026-11-22T09:59:58.000Z",
      data: { email_id: "4ef9a417-02e9-4d39-ad75-9611e0fcc33c", to: ["a@b.no"] },
    };
    expect(await parseDeliveryWebhook(signed(delivered), env, NOW)).toEqual([
      {
        providerMessageId: "4ef9a417-02e9-4d39-ad75-9611e0fcc33c",
        status: "Delivered",
        time: "2026-11-22T09:59:58.000Z",
      },
    ]);
    const bounced = {
      type: "email.bounced",
      created_at: "2026-11-22T09:59:59.000Z",
      data: { email_id: "e-2", bounce: { type: "Permanent", message: "no such user" } },
    };
    expect(await parseDeliveryWebhook(signed(bounced), env, NOW)).toEqual([
      { providerMessageId: "e-2", status: "Failed_Bounced", time: "2026-11-22T09:59:59.000Z" },
    ]);
    expect(await parseDeliveryWebhook(signed({ type: "email.opened", data: { email_id: "e-3" } }), env, NOW)).toEqual(
      [],
    );
  });

  it("refuses a wrong secret, a tampered body, a stale timestamp and missing headers as unauthorized", async () => {
    const ev = { type: "email.delivered", data: { email_id: "x" } };
    expect(
      (
        await failureOf(
          parseDeliveryWebhook(signed(ev, { secret: "whsec_" + btoa("another-secret-another-secret!!!") }), env, NOW),
        )
      ).kind,
    ).toBe("unauthorized");
    expect((await failureOf(parseDeliveryWebhook(signed(ev, { tamper: true }), env, NOW))).kind).toBe("unauthorized");
    expect(
      (await failureOf(parseDeliveryWebhook(signed(ev, { at: new Date(NOW.getTime() - 6 * 60_000) }), env, NOW))).kind,
    ).toBe("unauthorized");
    const bare = new Request("https://varsel.test/hook", { method: "POST", body: JSON.stringify(ev) });
    expect((await failureOf(parseDeliveryWebhook(bare, env, NOW))).kind).toBe("unauthorized");
  });

  it("answers a bad body as a validation failure and an unconfigured secret as not found", async () => {
    expect((await failureOf(parseDeliveryWebhook(signed({ type: "email.delivered", data: {} }), env, NOW))).kind).toBe(
      "validation",
    );
    expect((await failureOf(parseDeliveryWebhook(signed([1, 2]), env, NOW))).kind).toBe("validation");
    expect((await failureOf(parseDeliveryWebhook(signed({ type: "email.delivered" }), {} as Env, NOW))).kind).toBe(
      "not_found",
    );
  });
});

describe("MIME building", () => {
  it("encodes non-ASCII subjects as RFC 2047 words of at most 75 characters", () => {
    expect(encodeHeaderText("Plain subject")).toBe("Plain subject");
    const enc = encodeHeaderText("Varsel om endring i søknaden din — æøå ÆØÅ ✓ ".repeat(3));
    for (const line of enc.split("\r\n")) expect(line.trim().length).toBeLessThanOrEqual(75);
    expect(enc).toMatch(/^=\?UTF-8\?B\?/);
    expect(encodeHeaderText("evil\r\nBcc: x@y.no")).not.toContain("\r\nBcc");
  });

  it("builds headers, a base64 body and dot-stuffs the data section", () => {
    const m = buildMessage(
      { to: "a@b.no", from: "x", subject: "Hei", body: ".leading dot", contentType: "Html", idempotencyKey: "k-1" },
      { name: "Varsel", address: "noreply@varsel.no" },
      "<id@varsel.no>",
      NOW,
    );
    expect(m.data).toContain('From: "Varsel" <noreply@varsel.no>\r\n');
    expect(m.data).toContain("Content-Type: text/html; charset=utf-8\r\n");
    expect(m.data).toContain("X-Idempotency-Key: k-1\r\n");
    expect(m.data).toContain("Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n");
    expect(dataSection("a\r\n.b\r\n..c\r\n")).toBe("a\r\n..b\r\n...c\r\n.\r\n");
  });

  it("derives a stable Message-ID from the idempotency key", async () => {
    expect(await messageIdFor("6f1c-uuid", "noreply@varsel.no")).toBe("<varsel.6f1c-uuid@varsel.no>");
    const hashed = await messageIdFor("key with spaces", "noreply@varsel.no");
    expect(hashed).toMatch(/^<varsel\.[0-9a-f]{64}@varsel\.no>$/);
    expect(await messageIdFor("key with spaces", "noreply@varsel.no")).toBe(hashed);
  });

  it("parses sender mailboxes and refuses header injection", () => {
    expect(parseMailbox("Varsel <noreply@varsel.no>")).toEqual({ name: "Varsel", address: "noreply@varsel.no" });
    expect(parseMailbox("noreply@varsel.no")).toEqual({ name: "", address: "noreply@varsel.no" });
    expect(parseMailbox("a@b.no>\r\nBcc: c@d.no")).toBeNull();
  });
});

describe("failure mapping", () => {
  const reply = (stage: string, code: number) => resultOfReply(new SmtpReplyError(stage, { code, text: "x" }));
  it("SMTP: 4xx transient, 5xx permanent, 501/553 on RCPT an invalid address, pre-transaction 5xx transient", () => {
    expect(reply("RCPT TO", 451)).toMatchObject({ ok: false, transient: true });
    expect(reply("RCPT TO", 553)).toMatchObject({ ok: false, transient: false, invalidAddress: true });
    expect(reply("RCPT TO", 501)).toMatchObject({ invalidAddress: true });
    expect(reply("RCPT TO", 550)).toEqual({ ok: false, transient: false, error: "SMTP RCPT TO: 550 x" });
    expect(reply("DATA", 554)).toMatchObject({ transient: false });
    // Refused credentials or sender: a misconfiguration, never worth retrying for 48 h (issue 8.8).
    expect(reply("AUTH PLAIN", 535)).toMatchObject({ transient: false, misconfigured: true });
    expect(reply("MAIL FROM", 550)).toMatchObject({ transient: false, misconfigured: true });
    expect(reply("EHLO", 554)).toMatchObject({ transient: true });
  });

  it("Resend: 429/5xx transient, a refused `to` an invalid address, other 4xx permanent", () => {
    expect(resultOfStatus(429, { name: "rate_limit_exceeded" })).toMatchObject({ transient: true });
    expect(resultOfStatus(503, {})).toMatchObject({ transient: true });
    expect(resultOfStatus(409, { name: "concurrent_idempotent_requests" })).toMatchObject({ transient: true });
    expect(
      resultOfStatus(422, {
        name: "validation_error",
        message: "Invalid `to` field. The email address needs to follow the `email@example.com` format.",
      }),
    ).toMatchObject({ transient: false, invalidAddress: true });
    expect(resultOfStatus(422, { name: "validation_error", message: "Invalid `from` field." })).toEqual({
      ok: false,
      transient: false,
      error: "Resend 422 validation_error: Invalid `from` field.",
    });
    expect(resultOfStatus(401, { name: "missing_api_key" })).toMatchObject({ transient: false, misconfigured: true });
    expect(resultOfStatus(403, { name: "invalid_api_key" })).toMatchObject({ transient: false, misconfigured: true });
  });
});
