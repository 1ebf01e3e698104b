import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { Env } from "../env";

/** Only asymmetric algorithms are ever accepted: never `none`, never HS*. */
const SAFE_ALGORITHMS = new Set(["RS256", "ES256"]);
export const CLOCK_SKEW_SECONDS = 30;

let cached: { source: string; keys: JWTVerifyGetKey } | undefined;

function keySet(env: Env): JWTVerifyGetKey {
  const source = env.AUTH_JWKS ? `inline:${env.AUTH_JWKS}` : env.AUTH_JWKS_URL ? `url:${env.AUTH_JWKS_URL}` : "";
  if (!source) throw new Error("No AUTH_JWKS or AUTH_JWKS_URL configured");
  if (cached?.source === source) return cached.keys;
  const keys = env.AUTH_JWKS ? createLocalJWKSet(JSON.parse(env.AUTH_JWKS)) : createRemoteJWKSet(new URL(env.AUTH_JWKS_URL!));
  cached = { source, keys };
  return keys;
}

export function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
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
): Promise<VerifyResult> {
  if (token.length > 16 * 1024) return { ok: false, reason: "token too long" };
  try {
    const { payload } = await jwtVerify(token, keySet(env), {
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
