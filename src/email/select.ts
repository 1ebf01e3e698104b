/** Chooses the e-mail provider from `EMAIL_PROVIDER` (`resend`, the default, or `smtp`), validated first. */
import type { Env } from "../env";
import { DEFAULT_EMAIL_API_URL, emailConfigProblem, KNOWN_PROVIDERS, providerName, smtpConfig } from "./config";
import type { EmailProvider, SendResult } from "./provider";
import { ResendProvider } from "./resend/provider";
import { SmtpProvider } from "./smtp/provider";

export const PROVIDERS = KNOWN_PROVIDERS;

/** Stands in for a provider whose configuration is wrong: every send fails at once with the reason. */
export function misconfiguredProvider(name: string, problem: string): EmailProvider {
  const error = `The e-mail provider is misconfigured: ${problem}`;
  return { name, send: async (): Promise<SendResult> => ({ ok: false, transient: false, misconfigured: true, error }) };
}

/**
 * A new provider for this invocation. Create one per queue batch and call `close()` when done:
 * the SMTP provider keeps its connections open between sends of the same instance.
 */
export function emailProvider(env: Env): EmailProvider {
  const name = providerName(env);
  const problem = emailConfigProblem(env);
  if (problem) return misconfiguredProvider(name, problem);
  if (name === "smtp") return new SmtpProvider(smtpConfig(env));
  return new ResendProvider(env.EMAIL_API_URL || DEFAULT_EMAIL_API_URL, env.EMAIL_API_KEY ?? "");
}
