import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import type { Env } from "../env";

/** Only asymmetric algorithms are ever accepted: never `none`, never HS*. */
const SAFE_ALGORITHMS = new Set(["RS256", "ES256"]);
export const CLOCK_SKEW_SECONDS = 30;

let cached: { source: string; keys: JWTVerifyGetKey } | undefined;

function keySet(env: Env): JWTVerifyGetKey {
  const source = env.AUTH_JWKS ? `inline:${env.AUTH_JWKS}` : env.AUTH_JWKS_URL ? `url:${env.AUTH_JWKS_URL}` : "";
  if (!source) throw new Error("No AUTH_JWKS or AUTH_JWKS_URL configured");
  if (cached?.source === source) return cached.keys;
  const keys = env.AUTH_JWKS
    ? createLocalJWKSet(JSON.parse(env.AUTH_JWKS))
    : createRemoteJWKSet(new URL(env.AUTH_JWKS_URL!));
  cached = { source, keys };
  return keys;
}

export function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function allowedAlgorithms(env: Env): string[] {
  const configured = list(env.AUTH_ALGORITHMS);
  return (configured.length ? configured : [...SAFE_ALGORITHMS]).filter((a) => SAFE_ALGORITHMS.has(a));
}

export type VerifyResult = { ok: true; claims: JWTPayload } | { ok: false; reason: string };

/**
 * Verifies signature, algorithm, expiry (required), not-before, and the issuer against
 * `issuers` (or, when `issuerPattern` is given, against that pattern). The reason is for logs only
 * and never contains the token.
 */
export async function verifyToken(
  token: string,
  env: Env,
  check: { issuers: string[] } | { issuerPattern: RegExp },
  now: Date,
  keys: () => JWTVerifyGetKey = () => keySet(env),
): Promise<VerifyResult> {
  if (token.length > 16 * 1024) return { ok: false, reason: "token too long" };
  try {
    const { payload } = await jwtVerify(token, keys(), {
      algorithms: allowedAlgorithms(env),
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ["exp"],
      currentDate: now,
      ...("issuers" in check ? { issuer: check.issuers } : {}),
    });
    if ("issuerPattern" in check && !(typeof payload.iss === "string" && check.issuerPattern.test(payload.iss))) {
      return { ok: false, reason: "issuer not allowed" };
    }
    return { ok: true, claims: payload };
  } catch (e) {
    const reason = e instanceof errors.JOSEError ? e.code : "malformed token";
    return { ok: false, reason };
  }
}

/** A Platform Access Token lives at most one hour plus the clock skew (SPEC §2). */
export const MAX_PLATFORM_TOKEN_LIFETIME_SECONDS = 3600 + CLOCK_SKEW_SECONDS;

/** The parsed `PLATFORM_JWKS` (one value per isolate) and the key sets made from it, per org. */
let inlinePlatform:
  | { source: string; map: Record<string, JSONWebKeySet> | null; sets: Map<string, JWTVerifyGetKey> }
  | undefined;
/** Remote key sets per org URL (jose caches and refreshes each). Bounded: org codes are few. */
const remotePlatform = new Map<string, JWTVerifyGetKey>();

function parseJwksMap(source: string): Record<string, JSONWebKeySet> | null {
  try {
    const v = JSON.parse(source) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, JSONWebKeySet>) : null;
  } catch {
    return null;
  }
}

/**
 * The keys that may sign an org's Platform Access Tokens (SPEC §2), or null when none are configured
 * for it: `PLATFORM_JWKS` (`{"<org>": JWKS}`; the key `"*"` maps every org to one JWKS, for local
 * development and tests only) or `PLATFORM_JWKS_URL` with `{org}` in it. `AUTH_JWKS` never signs them.
 */
export function platformKeys(env: Env, org: string): JWTVerifyGetKey | null {
  if (env.PLATFORM_JWKS) {
    if (inlinePlatform?.source !== env.PLATFORM_JWKS) {
      inlinePlatform = { source: env.PLATFORM_JWKS, map: parseJwksMap(env.PLATFORM_JWKS), sets: new Map() };
    }
    const { map, sets } = inlinePlatform;
    const name = map && Object.hasOwn(map, org) ? org : map && Object.hasOwn(map, "*") ? "*" : null;
    if (!map || name === null) return null;
    const jwks = map[name];
    if (!jwks || !Array.isArray(jwks.keys)) return null;
    let keys = sets.get(name);
    if (!keys) sets.set(name, (keys = createLocalJWKSet(jwks)));
    return keys;
  }
  if (env.PLATFORM_JWKS_URL && env.PLATFORM_JWKS_URL.includes("{org}")) {
    const url = env.PLATFORM_JWKS_URL.replaceAll("{org}", encodeURIComponent(org));
    let keys = remotePlatform.get(url);
    if (!keys) {
      if (remotePlatform.size >= 1000) remotePlatform.clear();
      remotePlatform.set(url, (keys = createRemoteJWKSet(new URL(url))));
    }
    return keys;
  }
  return null;
}

/**
 * Verifies a Platform Access Token against its issuer's own keys only: the claimed `iss` (an org code,
 * in the allow-list when one is set) picks the key set, and the signature must verify with it, so a key
 * of one org never verifies a token that claims another. `iat` is required, at most `now` + 30 s, and
 * `exp - iat` at most 3,630 s. The reason is for logs only.
 */
export async function verifyPlatformToken(
  token: string,
  env: Env,
  allowed: string[],
  orgPattern: RegExp,
  now: Date,
): Promise<VerifyResult> {
  if (token.length > 16 * 1024) return { ok: false, reason: "token too long" };
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    return { ok: false, reason: "malformed token" };
  }
  if (typeof iss !== "string" || !orgPattern.test(iss) || (allowed.length > 0 && !allowed.includes(iss))) {
    return { ok: false, reason: "issuer not allowed" };
  }
  const keys = platformKeys(env, iss);
  if (!keys) return { ok: false, reason: "no keys configured for this issuer" };
  const result = await verifyToken(token, env, { issuers: [iss] }, now, () => keys);
  if (!result.ok) return result;
  const { iat, exp } = result.claims;
  if (typeof iat !== "number" || typeof exp !== "number") return { ok: false, reason: "iat and exp are required" };
  if (exp - iat > MAX_PLATFORM_TOKEN_LIFETIME_SECONDS) return { ok: false, reason: "token lifetime too long" };
  // jose checks a future iat only with maxTokenAge: without this, iat = next year passes until then.
  if (iat > Math.floor(now.getTime() / 1000) + CLOCK_SKEW_SECONDS) return { ok: false, reason: "iat in the future" };
  return result;
}
