import { hex } from "../lib/encoding";

/** W3C trace-context ids: reuse the caller's `traceparent` trace id when it is well formed. */
function randomHex(bytes: number): string {
  return hex(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function traceIdFor(traceparent: string | null): string {
  const m = traceparent?.match(/^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/);
  const traceId = m && m[1] !== "0".repeat(32) ? m[1] : randomHex(16);
  return `00-${traceId}-${randomHex(8)}-00`;
}
