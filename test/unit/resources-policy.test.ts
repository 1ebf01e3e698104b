import { describe, expect, it } from "vitest";
import { callerFrom } from "../../src/auth/claims";
import {
  appOfResourceId,
  effectiveResource,
  isAllowed,
  ownPartySubject,
  resourceIdOf,
  type Resource,
} from "../../src/resources/policy";

const resource: Resource = {
  id: "demo",
  owner: "ttd",
  title: "Demo",
  grants: [
    { subject: "/org/digdir", actions: ["subscribe"] },
    { subject: "/party/50001337", actions: ["read"] },
  ],
};

describe("resource decisions (SPEC §3)", () => {
  it("lets the owner do everything", () => {
    const owner = callerFrom({ "urn:altinn:org": "ttd" });
    expect(["publish", "subscribe", "read"].every((a) => isAllowed(resource, owner, a as "read"))).toBe(true);
  });

  it("grants exactly the granted actions to the named subject", () => {
    const digdir = callerFrom({ "urn:altinn:org": "digdir" });
    expect(isAllowed(resource, digdir, "subscribe")).toBe(true);
    expect(isAllowed(resource, digdir, "read")).toBe(false);
    expect(isAllowed(resource, digdir, "publish")).toBe(false);
  });

  it("matches a grant to a party through the token's party id", () => {
    expect(
      isAllowed(resource, callerFrom({ "urn:altinn:userid": "1", "urn:altinn:partyid": "50001337" }), "read"),
    ).toBe(true);
    expect(isAllowed(resource, callerFrom({ "urn:altinn:userid": "1", "urn:altinn:partyid": "1" }), "read")).toBe(
      false,
    );
  });

  it("denies everything on an unknown resource", () => {
    expect(isAllowed(null, callerFrom({ "urn:altinn:org": "ttd" }), "read")).toBe(false);
  });

  it("makes app resources exist implicitly, owned by their org", () => {
    expect(appOfResourceId("app_ttd_apps-test")).toEqual({ org: "ttd", app: "apps-test" });
    expect(effectiveResource("app_ttd_apps-test", null)?.owner).toBe("ttd");
    expect(effectiveResource("plain-resource", null)).toBeNull();
    expect(effectiveResource("app_ttd_x", resource)).toBe(resource);
  });

  it("limits a user to their own party on app resources only", () => {
    const user = callerFrom({ "urn:altinn:userid": "1337", "urn:altinn:partyid": "50001337" });
    expect(ownPartySubject(effectiveResource("app_ttd_apps-test", null), user)).toBe("/party/50001337");
    expect(ownPartySubject(resource, user)).toBeNull();
    expect(
      ownPartySubject(effectiveResource("app_ttd_apps-test", null), callerFrom({ "urn:altinn:org": "x" })),
    ).toBeNull();
  });

  it("parses resource URNs", () => {
    expect(resourceIdOf("urn:altinn:resource:demo")).toBe("demo");
    expect(resourceIdOf("urn:altinn:resource:")).toBeNull();
    expect(resourceIdOf("demo")).toBeNull();
  });
});
