// The local development key pair. Generated on first use into .dev/ (git-ignored), never committed,
// and trusted only by `npm start` and the tests: production configuration never names it.
import { exportJWK, generateKeyPair, importJWK, SignJWT } from "jose";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DEV_DIR = join(ROOT, ".dev");
export const DEV_ISSUER = "https://varsel.localhost/dev-issuer";
const KEY_FILE = join(DEV_DIR, "dev-key.json");

export async function createKeyPair(kid) {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const pub = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
  const priv = { ...(await exportJWK(privateKey)), kid, alg: "ES256" };
  return { jwks: { keys: [pub] }, privateJwk: priv };
}

export async function devKeys() {
  if (existsSync(KEY_FILE)) return JSON.parse(readFileSync(KEY_FILE, "utf8"));
  mkdirSync(DEV_DIR, { recursive: true });
  const keys = await createKeyPair(`varsel-dev-${Date.now().toString(36)}`);
  writeFileSync(KEY_FILE, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return keys;
}

/**
 * Mints a token. kind "altinn": an Altinn token (issuer DEV_ISSUER); kind "platform": a Platform
 * Access Token (issuer = org). expiresIn may be negative: a validly signed, already expired token.
 */
export async function mintToken(
  keys,
  { kind = "altinn", org, orgNumber, user, party, scope, app, expiresIn = 3600 } = {},
) {
  const key = await importJWK(keys.privateJwk, "ES256");
  const now = Math.floor(Date.now() / 1000);
  const claims = {};
  if (kind === "platform") {
    claims["urn:altinn:app"] = app;
  } else {
    if (org) claims["urn:altinn:org"] = org;
    if (orgNumber) claims["urn:altinn:orgNumber"] = orgNumber;
    if (user) claims["urn:altinn:userid"] = String(user);
    if (party) claims["urn:altinn:partyid"] = String(party);
    if (scope) claims.scope = scope;
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: keys.privateJwk.kid, typ: "JWT" })
    .setIssuer(kind === "platform" ? org : DEV_ISSUER)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + Number(expiresIn))
    .sign(key);
}
