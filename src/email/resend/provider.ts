/**
 * Resend's HTTP e-mail API (`POST {EMAIL_API_URL}/emails`, bearer API key, `Idempotency-Key`
 * header: Resend answers a repeated key within 24 h with the first response and sends nothing).
 */
import { readBounded } from "../../lib/bounded-read";
import { sha256Hex } from "../../lib/encoding";
import type { EmailProvider, OutgoingEmail, SendResult } from "../provider";
import { IDEMPOTENCY_HEADER } from "../smtp/mime";

export const RESEND = "resend";
const TIMEOUT_MS = 30_000;

interface ResendError {
  statusCode?: number;
  name?: string;
  message?: string;
}

/** Resend keys are 1..256 characters; a longer key is hashed to one that still identifies the mail. */
async function idempotencyKey(key: string): Promise<string> {
  if (key.length >= 1 && key.length <= 256 && /^[\x21-\x7e]+$/.test(key)) return key;
  return sha256Hex(key);
}

/** Maps a Resend error answer: 429/5xx and idempotency races are transient; a refused `to` is an invalid address. */
export function resultOfStatus(status: number, body: ResendError): SendResult {
  const error = `Resend ${status} ${body.name ?? ""}: ${(body.message ?? "").slice(0, 300)}`.trim();
  if (status === 429 || status >= 500 || status === 408) return { ok: false, transient: true, error };
  if (status === 409 && body.name === "concurrent_idempotent_requests") return { ok: false, transient: true, error };
  // A missing, wrong or restricted API key is the operator's to fix, not the mail's fault.
  if (status === 401 || (status === 403 && body.name !== "validation_error"))
    return { ok: false, transient: false, misconfigured: true, error };
  if (
    (status === 400 || status === 422) &&
    body.name === "validation_error" &&
    /`to`|\bto\b|recipient/i.test(body.message ?? "")
  ) {
    return { ok: false, transient: false, invalidAddress: true, error };
  }
  return { ok: false, transient: false, error };
}

export class ResendProvider implements EmailProvider {
  readonly name = RESEND;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async send(mail: OutgoingEmail): Promise<SendResult> {
    if (!this.apiKey) return { ok: false, transient: true, error: "EMAIL_API_KEY is not configured." };
    const key = await idempotencyKey(mail.idempotencyKey);
    const body = {
      from: mail.from,
      to: [mail.to],
      subject: mail.subject,
      [mail.contentType === "Html" ? "html" : "text"]: mail.body,
      headers: { [IDEMPOTENCY_HEADER]: key },
    };
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl.replace(/\/+$/, "")}/emails`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${this.apiKey}`,
          "content-type": "application/json",
          "idempotency-key": key,
          "user-agent": "varsel",
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (e) {
      return { ok: false, transient: true, error: `Resend request failed: ${(e as Error).message}` };
    }
    // Bounded: an answer is a small JSON object; never read a remote body whole.
    const text = await readBounded(res, 64 * 1024)
      .then((r) => r.text)
      .catch(() => "");
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: judged by status alone
    }
    if (res.ok) {
      const id = (parsed as { id?: unknown } | null)?.id;
      if (typeof id === "string" && id) return { ok: true, providerMessageId: id };
      // Accepted but unreadable: retrying with the same key returns the same answer without a second mail.
      return { ok: false, transient: true, error: `Resend ${res.status} without an email id` };
    }
    return resultOfStatus(res.status, (parsed && typeof parsed === "object" ? parsed : {}) as ResendError);
  }
}
