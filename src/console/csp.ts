/**
 * Security headers of the console's pages and assets (SPEC §8). Pure. The console runs with
 * scripts and styles from its own origin only: no inline script, no eval, no third-party host.
 * /docs alone allows inline styles, because Scalar's standalone bundle injects its stylesheet
 * as a <style> element (docs/decisions.md, Issue 11).
 */
const COMMON = [
  "default-src 'none'",
  "script-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

export const CONSOLE_CSP = [...COMMON, "style-src 'self'"].join("; ");
export const DOCS_CSP = [...COMMON, "style-src 'self' 'unsafe-inline'"].join("; ");

export function isDocsPath(pathname: string): boolean {
  return pathname === "/docs" || pathname === "/docs/" || pathname === "/docs.html" || pathname.startsWith("/docs/");
}

export function securityHeaders(pathname: string): Record<string, string> {
  return {
    "content-security-policy": isDocsPath(pathname) ? DOCS_CSP : CONSOLE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
  };
}

/**
 * Every other answer (the API's JSON, problem+json 404s for missing assets, event streams): nothing
 * in it may run or be framed, and its type is not to be sniffed. Set only where a response has no
 * policy of its own (src/index.ts).
 */
export const API_SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};
