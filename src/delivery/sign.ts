/** Standard Webhooks signatures (https://www.standardwebhooks.com) with WebCrypto. */
import { base64, fromBase64 } from "../lib/encoding";

/** The bytes that are signed: `{webhook-id}.{webhook-timestamp}.{body}`. */
export function signingInput(id: string, timestampSeconds: number, body: string): string {
  return `${id}.${timestampSeconds}.${body}`;
}

function keyBytes(secret: string): Uint8Array {
  const b64 = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  return fromBase64(b64);
}

/** `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256>`. */
export async function webhookHeaders(secret: string, id: string, timestampSeconds: number, body: string): Promise<Record<string, string>> {
  const key = await crypto.subtle.importKey("raw", keyBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(signingInput(id, timestampSeconds, body))));
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${base64(mac)}`,
  };
}
