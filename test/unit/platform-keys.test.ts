import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env";
import { platformKeys } from "../../src/auth/verify";

const jwks = {
  keys: [
    {
      kty: "EC",
      crv: "P-256",
      x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
      y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
      kid: "k",
    },
  ],
};
const env = (vars: Partial<Env>) => vars as Env;

describe("which keys may sign an org's Platform Access Tokens (SPEC §2)", () => {
  it("PLATFORM_JWKS names keys per org; another org gets none", () => {
    const e = env({ PLATFORM_JWKS: JSON.stringify({ ttd: jwks }) });
    expect(platformKeys(e, "ttd")).toBeTypeOf("function");
    expect(platformKeys(e, "digdir")).toBeNull();
  });

  it('"*" maps every org to one key set (local development)', () => {
    const e = env({ PLATFORM_JWKS: JSON.stringify({ "*": jwks }) });
    expect(platformKeys(e, "anyorg")).toBeTypeOf("function");
  });

  it("PLATFORM_JWKS_URL needs {org}; AUTH_JWKS alone gives none; bad JSON gives none", () => {
    expect(platformKeys(env({ PLATFORM_JWKS_URL: "https://keys.example/{org}/jwks.json" }), "ttd")).toBeTypeOf(
      "function",
    );
    expect(platformKeys(env({ PLATFORM_JWKS_URL: "https://keys.example/jwks.json" }), "ttd")).toBeNull();
    expect(platformKeys(env({ AUTH_JWKS: JSON.stringify(jwks) }), "ttd")).toBeNull();
    expect(platformKeys(env({ PLATFORM_JWKS: "{not json" }), "ttd")).toBeNull();
    expect(platformKeys(env({ PLATFORM_JWKS: JSON.stringify({ ttd: { nokeys: true } }) }), "ttd")).toBeNull();
  });
});
