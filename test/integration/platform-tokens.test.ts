// Platform Access Tokens are bound to their issuer's keys (SPEC §2, issue 7 §4).
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { callWithEnv } from "../helpers/http";
import { altinnToken, bearer, platformToken } from "../helpers/tokens";

interface OrgKey {
  jwks: { keys: unknown[] };
  sign: (iss: string, opts?: { lifetime?: number; iat?: boolean; issuedIn?: number }) => Promise<string>;
}

async function orgKey(kid: string): Promise<OrgKey> {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" }] };
  const sign = async (
    iss: string,
    { lifetime = 3600, iat = true, issuedIn = 0 }: { lifetime?: number; iat?: boolean; issuedIn?: number } = {},
  ) => {
    // `issuedIn` moves iat (and exp with it) into the future by that many seconds.
    const now = Math.floor(Date.now() / 1000) + issuedIn;
    const jwt = new SignJWT({ "urn:altinn:app": "apps-test" })
      .setProtectedHeader({ alg: "ES256", kid })
      .setIssuer(iss)
      .setExpirationTime(now + lifetime - 5);
    if (iat) jwt.setIssuedAt(now - 5);
    return jwt.sign(privateKey as CryptoKey);
  };
  return { jwks, sign };
}

let orgA: OrgKey;
let orgB: OrgKey;
let vars: Record<string, string>;

/** An order read with only a Platform Access Token: 200 when the token is accepted, 401 when not. */
async function readWith(pat: string, env: Record<string, string> = vars): Promise<number> {
  const res = await callWithEnv(env, "/notifications/api/v1/orders?sendersReference=pat-test", {
    headers: { platformaccesstoken: pat },
  });
  return res.status;
}

beforeAll(async () => {
  orgA = await orgKey("org-a-key");
  orgB = await orgKey("org-b-key");
  vars = { PLATFORM_JWKS: JSON.stringify({ orga: orgA.jwks, orgb: orgB.jwks }) };
});

describe("keys per issuer", () => {
  it("each org's key verifies its own tokens", async () => {
    expect(await readWith(await orgA.sign("orga"))).toBe(200);
    expect(await readWith(await orgB.sign("orgb"))).toBe(200);
  });

  it("org A's key never verifies a token that claims org B, nor an org with no keys", async () => {
    expect(await readWith(await orgA.sign("orgb"))).toBe(401);
    expect(await readWith(await orgB.sign("orga"))).toBe(401);
    expect(await readWith(await orgA.sign("orgc"))).toBe(401);
  });

  it("the Altinn token keys (AUTH_JWKS) never verify a Platform Access Token", async () => {
    expect(await readWith(await platformToken("orga", "apps-test"))).toBe(401);
    // Without any PLATFORM_JWKS configured, no Platform Access Token is accepted at all.
    expect(await readWith(await platformToken("ttd", "apps-test"), { PLATFORM_JWKS: "" })).toBe(401);
  });

  it("an app cannot publish as another org's app with its own key", async () => {
    const altinn = bearer(await altinnToken({ org: "orgb" }));
    const event = {
      type: "a.b",
      source: "https://orgb.apps.example/orgb/apps-test/instances/1/3fa85f64-5717-4562-b3fc-2c963f66afa6",
      subject: "/party/1",
      specversion: "1.0",
    };
    const res = await callWithEnv(vars, "/events/api/v1/app", {
      method: "POST",
      headers: { "content-type": "application/json", ...altinn, platformaccesstoken: await orgA.sign("orgb") },
      body: JSON.stringify(event),
    });
    expect(res.status).toBe(403);
  });
});

describe("lifetime", () => {
  it("at most one hour plus the clock skew (exp - iat <= 3630 s), and iat is required", async () => {
    expect(await readWith(await orgA.sign("orga", { lifetime: 3630 }))).toBe(200);
    expect(await readWith(await orgA.sign("orga", { lifetime: 3640 }))).toBe(401);
    expect(await readWith(await orgA.sign("orga", { lifetime: 86_400 }))).toBe(401);
    expect(await readWith(await orgA.sign("orga", { iat: false }))).toBe(401);
  });

  it("a token issued in the future (beyond the 30 s skew) is refused, however short its lifetime", async () => {
    const year = 365 * 24 * 3600;
    expect(await readWith(await orgA.sign("orga", { issuedIn: year }))).toBe(401);
    expect(await readWith(await orgA.sign("orga", { issuedIn: 120 }))).toBe(401);
    // Within the skew (iat is signed 5 s before `now + issuedIn`): accepted.
    expect(await readWith(await orgA.sign("orga", { issuedIn: 20 }))).toBe(200);
  });
});

describe("local development and tests map every org to the dev key", () => {
  it("the default test configuration accepts any org's token signed with the test key", async () => {
    expect(await readWith(await platformToken("someorg", "some-app"), {})).toBe(200);
  });
});
