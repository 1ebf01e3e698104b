import type { Env } from "../env";
import { fail } from "../http/problem";
import { appIdentityFrom, callerFrom, ORG_CODE, type AppIdentity, type Caller } from "./claims";
import { list, verifyPlatformToken, verifyToken } from "./verify";

function bearer(req: Request): string | null | undefined {
  const h = req.headers.get("authorization");
  if (h === null) return undefined;
  const m = h.match(/^Bearer\s+(\S+)\s*$/i);
  return m ? m[1]! : null;
}

/**
 * The Altinn token's caller. `undefined` when no Authorization header is present; a present
 * but bad token is a 401 right here. Tokens in query strings are never looked at.
 */
export async function authenticate(req: Request, env: Env, now: Date): Promise<Caller | undefined> {
  const token = bearer(req);
  if (token === undefined) return undefined;
  if (token === null) fail({ kind: "unauthorized", detail: "The Authorization header must be 'Bearer <token>'." });
  const result = await verifyToken(token, env, { issuers: list(env.AUTH_ISSUERS) }, now);
  if (!result.ok) {
    console.warn(JSON.stringify({ msg: "token rejected", reason: result.reason }));
    fail({ kind: "unauthorized", detail: "The bearer token is invalid or expired." });
  }
  return callerFrom(result.claims);
}

export async function requireCaller(req: Request, env: Env, now: Date): Promise<Caller> {
  const caller = await authenticate(req, env, now);
  if (!caller) fail({ kind: "unauthorized", detail: "A bearer token is required." });
  return caller;
}

export function requireScope(caller: Caller, scope: string): void {
  if (!caller.scopes.has(scope)) fail({ kind: "forbidden", detail: `The scope '${scope}' is required.` });
}

/** The app behind a `PlatformAccessToken` header, or null when it is missing or invalid. */
export async function platformApp(req: Request, env: Env, now: Date): Promise<AppIdentity | null> {
  const token = req.headers.get("platformaccesstoken");
  if (!token) return null;
  const result = await verifyPlatformToken(token.trim(), env, list(env.PLATFORM_ISSUERS), ORG_CODE, now);
  if (!result.ok) {
    console.warn(JSON.stringify({ msg: "platform access token rejected", reason: result.reason }));
    return null;
  }
  return appIdentityFrom(result.claims);
}
