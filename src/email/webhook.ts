/** The delivery-status webhook of the configured HTTP e-mail provider (Resend). */
import type { Env } from "../env";
import { readText } from "../http/body";
import { fail } from "../http/problem";
import type { DeliveryReport } from "./provider";
import { RESEND } from "./resend/provider";
import { reportsOf, signedHeaders, verifySignature } from "./resend/webhook";

/** The `{provider}` segment of `POST /notifications/api/v1/email/webhooks/{provider}`. */
export const WEBHOOK_PROVIDER = RESEND;
const MAX_WEBHOOK_BYTES = 256 * 1024;

/**
 * Verifies the request's signature with `EMAIL_WEBHOOK_SECRET` and maps its events.
 * 404 when no secret is configured, 401 on a missing or wrong signature, 400 on a bad body.
 */
export async function parseDeliveryWebhook(req: Request, env: Env, now: Date = new Date()): Promise<DeliveryReport[]> {
  const secret = env.EMAIL_WEBHOOK_SECRET;
  if (!secret) fail({ kind: "not_found", detail: "No e-mail delivery webhook is configured." });
  const body = await readText(req, MAX_WEBHOOK_BYTES);
  if (!(await verifySignature(secret, signedHeaders(req.headers), body, now)))
    fail({ kind: "unauthorized", detail: "The webhook signature is missing or does not match." });
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    fail({ kind: "validation", errors: { $: ["The webhook body is not valid JSON."] } });
  }
  return reportsOf(payload, now);
}
