/** E-mail provider configuration from the Worker's environment, validated at first use (SPEC §7.5). Pure. */
import type { Env } from "../env";
import type { SmtpConfig } from "./smtp/session";

export const DEFAULT_SMTP_TIMEOUT_MS = 30_000;
export const DEFAULT_EMAIL_API_URL = "https://api.resend.com";
/** The shipped default: an HTTP provider, since Workers cannot reach port 25. */
export const DEFAULT_EMAIL_PROVIDER = "resend";
/** SMTP submission with STARTTLS, when SMTP is chosen without a port. */
export const DEFAULT_SMTP_PORT = 587;
export const KNOWN_PROVIDERS = ["smtp", "resend"] as const;

const isTrue = (v: string | undefined) => /^(1|true|yes|on)$/i.test((v ?? "").trim());
const isLoopback = (host: string) => /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i.test(host);
const MAILBOX = /^(?:[^<>]*<)?[^\s@<>]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+>?$/;

export function providerName(env: Env): string {
  return (env.EMAIL_PROVIDER ?? "").trim().toLowerCase() || DEFAULT_EMAIL_PROVIDER;
}

export function smtpConfig(env: Env): SmtpConfig | { error: string } {
  const host = (env.SMTP_HOST ?? "").trim();
  if (!host) return { error: "SMTP_HOST is not configured." };
  const rawPort = (env.SMTP_PORT ?? "").trim();
  const port = rawPort ? Number(rawPort) : DEFAULT_SMTP_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return { error: `SMTP_PORT '${env.SMTP_PORT}' is not a port number.` };
  // Cloudflare closes outbound port 25 to Workers; only a local mail catcher may listen there.
  if (port === 25 && !isLoopback(host))
    return { error: "SMTP_PORT 25 is closed to Workers; use submission on 587 (STARTTLS) or 465." };
  const timeout = Number(env.SMTP_TIMEOUT_MS ?? DEFAULT_SMTP_TIMEOUT_MS);
  const from = env.EMAIL_FROM ?? "";
  const domain = from.match(/@([A-Za-z0-9.-]+)/)?.[1] ?? "varsel.invalid";
  return {
    host,
    port,
    ...(port === 465 ? { implicitTls: true } : {}),
    startTls:
      env.SMTP_STARTTLS === undefined ? port === DEFAULT_SMTP_PORT && !isLoopback(host) : isTrue(env.SMTP_STARTTLS),
    ...(env.SMTP_USER ? { user: env.SMTP_USER, password: env.SMTP_PASSWORD ?? "" } : {}),
    clientName: domain,
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_SMTP_TIMEOUT_MS,
  };
}

/**
 * What is wrong with the e-mail configuration, or null when it can work. Names variables only, never
 * their values' secrets. A problem here is the operator's to fix: no e-mail is worth retrying for it.
 */
export function emailConfigProblem(env: Env): string | null {
  const name = providerName(env);
  if (!(KNOWN_PROVIDERS as readonly string[]).includes(name))
    return `EMAIL_PROVIDER '${name.slice(0, 40)}' is unknown; use one of ${KNOWN_PROVIDERS.join(", ")}.`;
  if (!MAILBOX.test((env.EMAIL_FROM ?? "").trim())) return "EMAIL_FROM is not an e-mail address.";
  if (name === "smtp") {
    const config = smtpConfig(env);
    return "error" in config ? config.error : null;
  }
  if (!(env.EMAIL_API_KEY ?? "").trim())
    return "EMAIL_API_KEY is not configured (set it with `wrangler secret put EMAIL_API_KEY`).";
  const url = (env.EMAIL_API_URL ?? "").trim();
  if (url && !/^https?:\/\/[^\s/]+/i.test(url)) return "EMAIL_API_URL is not an http(s) URL.";
  // The API key travels in a header: never in cleartext, except to this machine (tests, local dev).
  if (url && !url.toLowerCase().startsWith("https://") && !isLoopbackUrl(url))
    return "EMAIL_API_URL must be https (http only to a loopback host), or the API key would travel in cleartext.";
  return null;
}

function isLoopbackUrl(value: string): boolean {
  try {
    const host = new URL(value).hostname.toLowerCase();
    return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
