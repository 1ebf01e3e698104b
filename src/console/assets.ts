import type { AppContext } from "../http/context";
import { securityHeaders } from "./csp";

/**
 * The console's static assets (wrangler.toml `[assets]`, `run_worker_first = true`): asked only
 * when no API route matched, for GET and HEAD. `/docs` is the API reference page (docs.html, which
 * the assets' HTML handling serves at /docs). Undefined when there is no such asset, so the caller
 * answers its usual problem+json 404.
 */
export async function serveAsset(request: Request, app: AppContext): Promise<Response | undefined> {
  const assets = app.env.ASSETS;
  if (!assets || (request.method !== "GET" && request.method !== "HEAD")) return undefined;
  const pathname = app.url.pathname;
  const target = new URL(pathname === "/docs/" ? "/docs" : pathname, app.url.origin);
  const res = await assets.fetch(
    new Request(target, { method: request.method, headers: { accept: request.headers.get("accept") ?? "*/*" } }),
  );
  if (res.status === 404) return undefined;
  const out = new Response(res.body, res);
  for (const [k, v] of Object.entries(securityHeaders(pathname))) out.headers.set(k, v);
  return out;
}
