// API paths the console may call with the token. Pure, no DOM.

/**
 * A path on this origin exactly as written: no dot segments (`..`, `%2e%2e`), no other host. Ids go
 * into paths through seg(), so a crafted console address (`#/subscriptions/..%2F..%2Fadmin…`)
 * cannot steer the token to another API route (client-side path traversal). Pure.
 */
export function isPlainPath(path: string): boolean {
  if (!path.startsWith("/") || path.startsWith("//") || path.includes("\\")) return false;
  try {
    const u = new URL(path, "http://console.invalid");
    return u.origin === "http://console.invalid" && u.pathname === path.split(/[?#]/)[0];
  } catch {
    return false;
  }
}

/** One path segment from data (an id): encoded, and never a dot segment (isPlainPath refuses those). */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}
