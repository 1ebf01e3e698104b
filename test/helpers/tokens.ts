import { env } from "cloudflare:test";
import { importJWK, SignJWT, type JWTPayload } from "jose";

export const TEST_ISSUER = "https://varsel.test/issuer";

async function key() {
  return importJWK(JSON.parse(env.TEST_PRIVATE_JWK), "ES256");
}

export interface TokenOptions {
  org?: string;
  orgNumber?: string;
  user?: string;
  party?: string;
  scope?: string;
  expiresIn?: number;
  issuer?: string;
  extra?: JWTPayload;
}

/** An Altinn token signed with the key the Worker under test trusts. */
export async function altinnToken(o: TokenOptions = {}): Promise<string> {
  const claims: JWTPayload = { ...o.extra };
  if (o.org) claims["urn:altinn:org"] = o.org;
  if (o.orgNumber) claims["urn:altinn:orgNumber"] = o.orgNumber;
  if (o.user) claims["urn:altinn:userid"] = o.user;
  if (o.party) claims["urn:altinn:partyid"] = o.party;
  if (o.scope) claims.scope = o.scope;
  const now = Math.floor(Date.now() / 1000);
  const jwk = JSON.parse(env.TEST_PRIVATE_JWK) as { kid: string };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: jwk.kid, typ: "JWT" })
    .setIssuer(o.issuer ?? TEST_ISSUER)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + (o.expiresIn ?? 3600))
    .sign(await key());
}

/** A Platform Access Token for an app: `iss` is the org. */
export async function platformToken(org: string, app: string, expiresIn = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwk = JSON.parse(env.TEST_PRIVATE_JWK) as { kid: string };
  return new SignJWT({ "urn:altinn:app": app })
    .setProtectedHeader({ alg: "ES256", kid: jwk.kid, typ: "JWT" })
    .setIssuer(org)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + expiresIn)
    .sign(await key());
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
