/** Chooses the e-mail provider from `EMAIL_PROVIDER` (`smtp`, the default, or `resend`). */
import type { Env } from "../env";
import { DEFAULT_EMAIL_API_URL, smtpConfig } from "./config";
import type { EmailProvider, SendResult } from "./provider";
import { RESEND, ResendProvider } from "./resend/provider";
import { SmtpProvider } from "./smtp/provider";

export const PROVIDERS = ["smtp", RESEND] as const;

/**
 * A new provider for this invocation. Create one per queue batch and call `close()` when done:
 * the SMTP provider keeps its connections open between sends of the same instance.
 */
export function emailProvider(env: Env): EmailProvider {
  const name = (env.EMAIL_PROVIDER ?? "smtp").trim().toLowerCase() || "smtp";
  if (name === "smtp") return new SmtpProvider(smtpConfig(env));
  if (name === RESEND) return new ResendProvider(env.EMAIL_API_URL || DEFAULT_EMAIL_API_URL, env.EMAIL_API_KEY ?? "");
  return {
    name,
    send: async (): Promise<SendResult> => ({ ok: false, transient: true, error: `EMAIL_PROVIDER '${name}' is unknown; use one of ${PROVIDERS.join(", ")}.` }),
  };
}
