import { env } from "cloudflare:test";
import { exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { call, problem } from "../helpers/http";
import { altinnToken, TEST_ISSUER } from "../helpers/tokens";

const READ = "/events/api/v1/events?resource=urn:altinn:resource:auth-test&after=0";
const claims = { "urn:altinn:org": "ttd", scope: "altinn:events.subscribe" };
const b64url = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function expect401(token: string | null, path = READ): Promise<void> {
  const res = await call(path, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(401);
  const body = await problem(res);
  expect(body.traceId).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  if (token && token.length > 20) expect(JSON.stringify(body)).not.toContain(token);
}

describe("token verification (SPEC §2)", () => {
  it("accepts a valid token", async () => {
    const res = await call(READ, {
      headers: { authorization: `Bearer ${await altinnToken({ org: "ttd", scope: "altinn:events.subscribe" })}` },
    });
    expect(res.status).not.toBe(401);
  });

  it("refuses an expired token beyond the 30 s skew", async () => {
    await expect401(await altinnToken({ org: "ttd", scope: "altinn:events.subscribe", expiresIn: -120 }));
  });

  it("allows 30 s of clock skew on expiry", async () => {
    const res = await call(READ, {
      headers: {
        authorization: `Bearer ${await altinnToken({ org: "ttd", scope: "altinn:events.subscribe", expiresIn: -10 })}`,
      },
    });
    expect(res.status).not.toBe(401);
  });

  it("refuses a token that is not yet valid", async () => {
    const jwk = JSON.parse(env.TEST_PRIVATE_JWK) as JWK & { kid: string };
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: jwk.kid })
      .setIssuer(TEST_ISSUER)
      .setNotBefore(now + 300)
      .setExpirationTime(now + 3600)
      .sign(await importJWK(jwk, "ES256"));
    await expect401(token);
  });

  it("refuses a token without exp", async () => {
    const jwk = JSON.parse(env.TEST_PRIVATE_JWK) as JWK & { kid: string };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: jwk.kid })
      .setIssuer(TEST_ISSUER)
      .sign(await importJWK(jwk, "ES256"));
    await expect401(token);
  });

  it("refuses a token from an issuer outside the allow-list", async () => {
    await expect401(
      await altinnToken({ org: "ttd", scope: "altinn:events.subscribe", issuer: "https://evil.example/" }),
    );
  });

  it("refuses a token signed with another key, even with the trusted kid", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const kid = (JSON.parse(env.TEST_PRIVATE_JWK) as { kid: string }).kid;
    const now = Math.floor(Date.now() / 1000);
    await expect401(
      await new SignJWT(claims)
        .setProtectedHeader({ alg: "ES256", kid })
        .setIssuer(TEST_ISSUER)
        .setExpirationTime(now + 3600)
        .sign(privateKey),
    );
  });

  it("refuses alg none", async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(JSON.stringify({ ...claims, iss: TEST_ISSUER, exp: now + 3600 }))}.`;
    await expect401(unsigned);
  });

  it("refuses HS256 signed with the public key as the secret", async () => {
    const pub = (JSON.parse(env.AUTH_JWKS!) as { keys: JWK[] }).keys[0]!;
    const now = Math.floor(Date.now() / 1000);
    const publicKey = await importJWK(pub, "ES256");
    for (const secret of [JSON.stringify(pub), await exportSPKI(publicKey as CryptoKey)]) {
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256", kid: pub.kid! })
        .setIssuer(TEST_ISSUER)
        .setExpirationTime(now + 3600)
        .sign(new TextEncoder().encode(secret));
      await expect401(token);
    }
  });

  it("never reads a token from the query string", async () => {
    const token = await altinnToken({ org: "ttd", scope: "altinn:events.subscribe" });
    await expect401(null, `${READ}&access_token=${token}`);
  });

  it("refuses malformed tokens and headers without crashing", async () => {
    for (const t of ["x", "a.b.c", "....", "e30.e30.e30", "Ω".repeat(50)]) await expect401(t);
    const res = await call(READ, { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expect(res.status).toBe(401);
  });
});
