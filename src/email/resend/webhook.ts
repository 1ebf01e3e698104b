/**
 * Resend's delivery-status webhook. Resend signs with Svix (the Standard Webhooks scheme):
 * `svix-id`, `svix-timestamp` (Unix seconds) and `svix-signature` (space-separated `v1,<base64>`)
 * headers; the signature is HMAC-SHA256 over `${id}.${timestamp}.${rawBody}` keyed with the
 * base64 part of the `whsec_...` signing secret. Timestamps more than 5 minutes off are refused.
 */
import { z } from "zod";
import { secretBytes, signatureBytes } from "../../delivery/sign";
import { fail } from "../../http/problem";
import { fromBase64 } from "../../lib/encoding";
import type { DeliveryReport } from "../provider";

export const TOLERANCE_SECONDS = 5 * 60;

function base64ToBytes(b64: string): Uint8Array | null {
  try {
    return fromBase64(b64);
  } catch {
    return null;
  }
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export interface SignedHeaders {
  id: string | null;
  timestamp: string | null;
  signature: string | null;
}

/** Svix header names, or the Standard Webhooks ones (`webhook-*`). */
export function signedHeaders(h: Headers): SignedHeaders {
  return {
    id: h.get("svix-id") ?? h.get("webhook-id"),
    timestamp: h.get("svix-timestamp") ?? h.get("webhook-timestamp"),
    signature: h.get("svix-signature") ?? h.get("webhook-signature"),
  };
}

/** True when one of the `v1,` signatures matches. */
export async function verifySignature(
  secret: string,
  headers: SignedHeaders,
  body: string,
  now: Date,
): Promise<boolean> {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return false;
  let keyBytes: Uint8Array;
  try {
    keyBytes = secretBytes(secret);
  } catch {
    return false;
  }
  if (keyBytes.length === 0) return false;
  const expected = await signatureBytes(keyBytes, id, timestamp, body);
  for (const part of signature.split(" ")) {
    const [version, value] = part.split(",", 2);
    if (version !== "v1" || !value) continue;
    const given = base64ToBytes(value);
    if (given && timingSafeEqual(given, expected)) return true;
  }
  return false;
}

const eventSchema = z.object({
  type: z.string("'type' is required."),
  created_at: z.string().optional(),
  data: z.object({ email_id: z.string().optional(), created_at: z.string().optional() }, "'data' is required."),
});

const STATUS: Record<string, DeliveryReport["status"]> = {
  "email.delivered": "Delivered",
  "email.bounced": "Failed_Bounced",
};

/** Maps one verified event; events other than delivered/bounced are acknowledged and ignored. */
export function reportsOf(payload: unknown, now: Date): DeliveryReport[] {
  const parsed = eventSchema.safeParse(payload);
  if (!parsed.success) fail({ kind: "validation", errors: { $: parsed.error.issues.map((i) => i.message) } });
  const event = parsed.data;
  const status = STATUS[event.type];
  if (!status) return [];
  if (!event.data.email_id)
    fail({ kind: "validation", errors: { $: ["'data.email_id' is required for delivery events."] } });
  const when = event.created_at ?? event.data.created_at;
  const time = when && !Number.isNaN(Date.parse(when)) ? new Date(when).toISOString() : now.toISOString();
  return [{ providerMessageId: event.data.email_id, status, time }];
}
