/** The SMTP e-mail provider: one `SmtpSession` per connection, reused for the mails of one invocation. */
import type { EmailProvider, OutgoingEmail, SendResult } from "../provider";
import { buildMessage, dataSection, isPlainAddress, messageIdFor, parseMailbox } from "./mime";
import { SmtpConnectionError, SmtpReplyError, SmtpSession, type SmtpConfig } from "./session";

/** Idle connections kept for reuse by later sends of the same provider instance. */
const MAX_IDLE = 8;

/**
 * How a failed send is reported. Transaction replies decide for the mail: 4xx transient, 5xx
 * permanent, and 501/553 on RCPT mean the address itself was refused. Failures before the
 * transaction (connection, greeting, EHLO, STARTTLS, AUTH, MAIL FROM) are the server's or the
 * configuration's, never the mail's, so they are transient: the mail waits for the fix.
 */
export function resultOfReply(e: SmtpReplyError): SendResult {
  const { code, text } = e.reply;
  const error = `SMTP ${e.stage}: ${code} ${text.replace(/\s+/g, " ").slice(0, 300)}`;
  // Credentials or the sender refused for good: the operator's configuration, not this mail's fault.
  if (code >= 500 && (e.stage.startsWith("AUTH") || e.stage === "MAIL FROM"))
    return { ok: false, transient: false, misconfigured: true, error };
  if (code < 500 || (e.stage !== "RCPT TO" && e.stage !== "DATA")) return { ok: false, transient: true, error };
  return {
    ok: false,
    transient: false,
    ...(e.stage === "RCPT TO" && (code === 501 || code === 553) ? { invalidAddress: true } : {}),
    error,
  };
}

export class SmtpProvider implements EmailProvider {
  readonly name = "smtp";
  private idle: SmtpSession[] = [];

  constructor(
    private readonly config: SmtpConfig | { error: string },
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(mail: OutgoingEmail): Promise<SendResult> {
    if ("error" in this.config) return { ok: false, transient: true, error: this.config.error };
    if (!isPlainAddress(mail.to))
      return { ok: false, transient: false, invalidAddress: true, error: "The recipient address is malformed." };
    const from = parseMailbox(mail.from);
    if (!from) return { ok: false, transient: true, error: "The sender address (EMAIL_FROM) is malformed." };
    const messageId = await messageIdFor(mail.idempotencyKey, from.address);
    const data = dataSection(buildMessage(mail, from, messageId, this.now()).data);
    return this.deliver(this.config, from.address, mail.to, data, messageId, true);
  }

  private async deliver(
    config: SmtpConfig,
    from: string,
    to: string,
    data: string,
    messageId: string,
    mayReuse: boolean,
  ): Promise<SendResult> {
    const reused = mayReuse ? this.idle.pop() : undefined;
    let session: SmtpSession | undefined = reused;
    try {
      session ??= await SmtpSession.open(config);
      await session.sendMail(from, to, data);
      this.release(session);
      return { ok: true, providerMessageId: messageId };
    } catch (e) {
      // A kept connection may have been dropped by the server meanwhile: try once on a fresh one.
      if (reused && e instanceof SmtpConnectionError) return this.deliver(config, from, to, data, messageId, false);
      if (e instanceof SmtpReplyError) {
        if (session) this.release(session);
        return resultOfReply(e);
      }
      await session?.abort();
      return { ok: false, transient: true, error: `SMTP ${(e as Error).message}` };
    }
  }

  private release(session: SmtpSession): void {
    if (session.closed) return;
    if (this.idle.length < MAX_IDLE) this.idle.push(session);
    else void session.quit();
  }

  /** Says QUIT on every kept connection. */
  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((s) => s.quit()));
  }
}
