/** E-mail provider configuration from the Worker's environment. Pure. */
import type { Env } from "../env";
import type { SmtpConfig } from "./smtp/session";

export const DEFAULT_SMTP_TIMEOUT_MS = 30_000;
export const DEFAULT_EMAIL_API_URL = "https://api.resend.com";

const isTrue = (v: string | undefined) => /^(1|true|yes|on)$/i.test((v ?? "").trim());

export function smtpConfig(env: Env): SmtpConfig | { error: string } {
  const host = (env.SMTP_HOST ?? "").trim();
  if (!host) return { error: "SMTP_HOST is not configured." };
  const port = Number(env.SMTP_PORT ?? "25");
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { error: `SMTP_PORT '${env.SMTP_PORT}' is not a port number.` };
  const timeout = Number(env.SMTP_TIMEOUT_MS ?? DEFAULT_SMTP_TIMEOUT_MS);
  const from = env.EMAIL_FROM ?? "";
  const domain = from.match(/@([A-Za-z0-9.-]+)/)?.[1] ?? "varsel.invalid";
  return {
    host,
    port,
    startTls: isTrue(env.SMTP_STARTTLS),
    ...(env.SMTP_USER ? { user: env.SMTP_USER, password: env.SMTP_PASSWORD ?? "" } : {}),
    clientName: domain,
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_SMTP_TIMEOUT_MS,
  };
}
