import { describe, expect, it } from "vitest";
import { appIdentityFrom, callerFrom, scopesFrom, subjectsOf } from "../../src/auth/claims";

describe("principal derivation (SPEC §2)", () => {
  it("prefers the org, then the user, then the organisation number", () => {
    expect(
      callerFrom({ "urn:altinn:org": "ttd", "urn:altinn:userid": "1", "urn:altinn:orgNumber": "991825827" }).principal,
    ).toBe("/org/ttd");
    expect(callerFrom({ "urn:altinn:userid": "1337", "urn:altinn:orgNumber": "991825827" }).principal).toBe(
      "/user/1337",
    );
    expect(callerFrom({ "urn:altinn:orgNumber": "991825827" }).principal).toBe("/organisation/991825827");
    expect(callerFrom({}).principal).toBeNull();
  });

  it("ignores an organisation number that is not 9 digits", () => {
    expect(callerFrom({ "urn:altinn:orgNumber": "12345" }).principal).toBeNull();
  });

  it("reads scopes from scope and urn:altinn:scope, space separated", () => {
    expect([...scopesFrom({ scope: "a b", "urn:altinn:scope": "c" })].sort()).toEqual(["a", "b", "c"]);
    expect([...scopesFrom({ scope: ["x", "y"] })]).toEqual(["x", "y"]);
  });

  it("lists every identity a grant may name, party included", () => {
    expect(subjectsOf(callerFrom({ "urn:altinn:userid": "1337", "urn:altinn:partyid": "50001337" }))).toEqual([
      "/user/1337",
      "/party/50001337",
    ]);
  });

  it("takes a Platform Access Token's org from iss and its app from urn:altinn:app", () => {
    expect(appIdentityFrom({ iss: "ttd", "urn:altinn:app": "apps-test" })).toEqual({ org: "ttd", app: "apps-test" });
    expect(appIdentityFrom({ iss: "https://evil.example", "urn:altinn:app": "x" })).toBeNull();
    expect(appIdentityFrom({ iss: "ttd" })).toBeNull();
  });
});
