import { describe, expect, it } from "vitest";
import { EVENTS_LANE_WINDOW, laneOf } from "../../src/events/lanes";

describe("laneOf", () => {
  it("an app resource's lane is its org, whoever is named as owner", () => {
    expect(laneOf("urn:altinn:resource:app_ttd_apps-test")).toBe("ttd");
    expect(laneOf("urn:altinn:resource:app_ttd_apps-test", "other")).toBe("ttd");
  });
  it("a registered resource's lane is its owner; without one, the resource itself", () => {
    expect(laneOf("urn:altinn:resource:skattemelding", "skd")).toBe("skd");
    expect(laneOf("urn:altinn:resource:skattemelding")).toBe("urn:altinn:resource:skattemelding");
    expect(laneOf("urn:altinn:resource:skattemelding", null)).toBe("urn:altinn:resource:skattemelding");
  });
  it("a grantee publishing to another org's resource has its own lane; the owner itself does not", () => {
    expect(laneOf("urn:altinn:resource:skattemelding", "skd", "/org/skd")).toBe("skd");
    expect(laneOf("urn:altinn:resource:skattemelding", "skd", "/org/evil")).toBe("skd|/org/evil");
    expect(laneOf("urn:altinn:resource:skattemelding", "skd", "/user/42")).toBe("skd|/user/42");
    expect(laneOf("urn:altinn:resource:app_ttd_x", null, "/org/ttd")).toBe("ttd");
  });
  it("an org's order status events share its lane", () => {
    expect(laneOf("urn:altinn:resource:notifications_ttd")).toBe("ttd");
  });
  it("the window leaves room in a queue batch (50) for other lanes", () => {
    expect(EVENTS_LANE_WINDOW).toBeLessThan(50);
  });
});
