import ipaddr from "ipaddr.js";
import { importJWK, SignJWT } from "jose";
import { z } from "zod";
import { list } from "../auth/verify";
import { readJson } from "../http/body";
import type { AppContext } from "../http/context";
import { fail } from "../http/problem";
import { json } from "../http/respond";
import type { AppRouter } from "../http/router";
import { parseWith } from "../http/validate";

/**
 * Local development's sign-in (SPEC §8): mints a token for a chosen org, user and scopes with the
 * development key. Present only when `DEV_SIGNING_JWK` is configured (scripts/start.mjs passes the
 * key from .dev/; production configuration never names it), and then only for a request that
 * came from this machine (devSignInAllowed). Not part of the public API, so not in /openapi.json.
 */
export const DEV_TOKEN_PATH = "/console/api/dev-token";
export const CONSOLE_CONFIG_PATH = "/console/api/config";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);
const SCOPES = [
  "altinn:events.publish",
  "altinn:events.subscribe",
  "altinn:serviceowner/notifications.create",
  "varsel:admin",
] as const;

const devTokenRequest = z.object({
  org: z
    .string()
    .regex(/^[a-z][a-z0-9]{1,19}$/, "The org must be an org code such as 'ttd'.")
    .optional(),
  orgNumber: z
    .string()
    .regex(/^\d{9}$/, "The organisation number has 9 digits.")
    .optional(),
  user: z
    .string()
    .regex(/^\d{1,18}$/, "The user id is digits.")
    .optional(),
  party: z
    .string()
    .regex(/^\d{1,18}$/, "The party id is digits.")
    .optional(),
  scopes: z.array(z.enum(SCOPES, "Unknown scope.")).max(SCOPES.length).default([]),
});

function isLoopbackIp(ip: string): boolean {
  try {
    return ipaddr.process(ip.trim()).range() === "loopback";
  } catch {
    return false;
  }
}

/**
 * The dev sign-in rule, pure (docs/console.md, "Dev sign-in"). All of:
 * - the dev key is configured;
 * - the URL's host is a loopback name or address (a DNS-rebinding page on another name is refused);
 * - `CF-Connecting-IP`, when present, is a loopback address. Cloudflare's edge always sets it to the
 *   visitor's address, which is never loopback, and a client cannot override it there, so a Host
 *   header claiming `localhost` does not open the route in production; wrangler dev sets it to the
 *   local client's address, so another machine reaching a dev server is refused too;
 * - `Origin`, when present, is the request's own origin (no other local page may call it).
 */
export function devSignInAllowed(input: {
  hasKey: boolean;
  url: URL;
  connectingIp: string | null;
  origin: string | null;
}): boolean {
  if (!input.hasKey || !LOOPBACK.has(input.url.hostname)) return false;
  if (input.connectingIp !== null && !isLoopbackIp(input.connectingIp)) return false;
  return input.origin === null || input.origin === input.url.origin;
}

export function devSignInEnabled(req: Request, app: AppContext): boolean {
  return devSignInAllowed({
    hasKey: Boolean(app.env.DEV_SIGNING_JWK),
    url: app.url,
    connectingIp: req.headers.get("cf-connecting-ip"),
    origin: req.headers.get("origin"),
  });
}

async function mint(app: AppContext, body: z.output<typeof devTokenRequest>): Promise<string> {
  const jwk = JSON.parse(app.env.DEV_SIGNING_JWK!) as { kid?: string; alg?: string };
  const key = await importJWK(jwk, "ES256");
  const now = Math.floor(app.now().getTime() / 1000);
  const claims: Record<string, string> = {};
  if (body.org) claims["urn:altinn:org"] = body.org;
  if (body.orgNumber) claims["urn:altinn:orgNumber"] = body.orgNumber;
  if (body.user) claims["urn:altinn:userid"] = body.user;
  if (body.party) claims["urn:altinn:partyid"] = body.party;
  if (body.scopes.length) claims.scope = body.scopes.join(" ");
  const issuer = list(app.env.AUTH_ISSUERS)[0];
  if (!issuer) fail({ kind: "unavailable", detail: "No token issuer is configured." });
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", typ: "JWT", ...(jwk.kid ? { kid: jwk.kid } : {}) })
    .setIssuer(issuer)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + 3600)
    .sign(key);
}

export function registerConsoleRoutes(router: AppRouter): void {
  router.get(CONSOLE_CONFIG_PATH, (req, app: AppContext) =>
    json({ devSignIn: devSignInEnabled(req, app) }, 200, { "cache-control": "no-store" }),
  );

  router.post(DEV_TOKEN_PATH, async (req, app: AppContext) => {
    if (!devSignInEnabled(req, app)) return undefined; // no such route: the usual 404
    const body = parseWith(devTokenRequest, await readJson(req, { maxBytes: 4096 }));
    if (!body.org && !body.user && !body.orgNumber)
      fail({ kind: "validation", errors: { Org: ["Choose an org, a user or an organisation number."] } });
    return json({ token: await mint(app, body), expiresIn: 3600 }, 200, { "cache-control": "no-store" });
  });
}
