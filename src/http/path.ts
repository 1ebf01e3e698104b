/**
 * Repeated slashes in a path are one (SPEC §4.3): Altinn's clients send `/subscriptions//2`. Applied
 * once, at the fetch entry, before routing. The query string is left alone.
 */
export function collapseSlashes(request: Request): Request {
  const url = new URL(request.url);
  if (!url.pathname.includes("//")) return request;
  url.pathname = url.pathname.replace(/\/{2,}/g, "/");
  return new Request(url.toString(), request);
}
