// The console's API paths (console/src/paths.ts): ids are encoded segments, and a path that the URL
// parser would rewrite (dot segments, another host) is never called with the token.
import { describe, expect, it } from "vitest";
import { isPlainPath, seg } from "../../console/src/paths";

describe("isPlainPath and seg", () => {
  it("accepts the console's own API paths, queries included", () => {
    expect(isPlainPath("/events/api/v1/subscriptions/12/deliveries?status=failed&size=20")).toBe(true);
    expect(isPlainPath(`/notifications/api/v1/orders/${seg("a2a4b6a0-1c1f-4a4e-9d55-3f0f0b2f6c11")}/status`)).toBe(
      true,
    );
    expect(isPlainPath(`/events/api/v1/subscriptions/${seg("../../admin/api/v1/resources/x?")}`)).toBe(true);
  });

  it("refuses dot segments, in any spelling, and other hosts", () => {
    for (const p of [
      `/events/api/v1/subscriptions/${seg("..")}`,
      `/events/api/v1/subscriptions/${seg(".")}/recover`,
      "/events/api/v1/subscriptions/%2e%2e/x",
      "/events/api/v1/subscriptions/.%2E/x",
      "/events/api/v1/subscriptions/../../../../admin/api/v1/resources/x",
      "//attacker.example/x",
      "https://attacker.example/x",
      "/\\attacker.example/x",
      "relative/path",
    ])
      expect(isPlainPath(p), p).toBe(false);
  });
});
