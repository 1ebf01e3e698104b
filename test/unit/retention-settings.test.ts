import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/lib/duration";
import { retentionSettings } from "../../src/retention/settings";

describe("retention durations", () => {
  it("reads seconds, minutes, hours and days", () => {
    expect(parseDuration("30s", 0)).toBe(30_000);
    expect(parseDuration("5m", 0)).toBe(300_000);
    expect(parseDuration("12h", 0)).toBe(43_200_000);
    expect(parseDuration("90d", 0)).toBe(7_776_000_000);
  });
  it("falls back on empty or malformed text", () => {
    for (const bad of [undefined, "", "90", "d", "-1d", "1.5h", "1w"]) expect(parseDuration(bad, 42)).toBe(42);
  });
  it("defaults to SPEC §7.2's 90/30/90 days", () => {
    expect(retentionSettings({})).toEqual({
      eventsMs: 90 * 86_400_000,
      deliveriesMs: 30 * 86_400_000,
      ordersMs: 90 * 86_400_000,
    });
    expect(retentionSettings({ RETENTION_DELIVERIES: "1h" }).deliveriesMs).toBe(3_600_000);
  });
});
