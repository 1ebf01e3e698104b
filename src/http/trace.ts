/** W3C trace-context ids: reuse the caller's `traceparent` trace id when it is well formed. */
function hex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export function traceIdFor(traceparent: string | null): string {
  const m = traceparent?.match(/^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/);
  const traceId = m && m[1] !== "0".repeat(32) ? m[1] : hex(16);
  return `00-${traceId}-${hex(8)}-00`;
}
