/** Standard Webhooks signatures (https://www.standardwebhooks.com) with WebCrypto. */
import { base64, fromBase64 } from "../lib/encoding";

/** The bytes that are signed: `{webhook-id}.{webhook-timestamp}.{body}`. */
export function signingInput(id: string, timestampSeconds: number | string, body: string): string {
  return `${id}.${timestampSeconds}.${body}`;
}

/** The HMAC key of a `whsec_<base64>` secret (the prefix is optional); throws when the rest is not base64. */
export function secretBytes(secret: string): Uint8Array {
  return fromBase64(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
}

/** HMAC-SHA256 over the signing input: what `v1,` signatures carry, before base64. */
export async function signatureBytes(
  key: Uint8Array,
  id: string,
  timestampSeconds: number | string,
  body: string,
): Promise<Uint8Array> {
  const hmac = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(
    await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(signingInput(id, timestampSeconds, body))),
  );
}

/** `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256>`. */
export async function webhookHeaders(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<Record<string, string>> {
  const mac = await signatureBytes(secretBytes(secret), id, timestampSeconds, body);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${base64(mac)}`,
  };
}
