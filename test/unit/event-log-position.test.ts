import { describe, expect, it } from "vitest";
import { dayOf, isLogPosition, LEGACY_LIMIT, nextPosition } from "../../src/events/log/position";
import { guardBucket, GUARD_BUCKETS, partyOf } from "../../src/events/log/stubs";

const DAY = 86_400_000;
const t0 = Date.UTC(2026, 10, 29, 8);

describe("event log positions", () => {
  it("start a day above every D1 seq and grow by one within it", () => {
    const first = nextPosition(0, t0);
    expect(first).toBe(dayOf(t0) * LEGACY_LIMIT + 1);
    expect(isLogPosition(first)).toBe(true);
    expect(isLogPosition(LEGACY_LIMIT - 1)).toBe(false);
    expect(nextPosition(first, t0 + 1000)).toBe(first + 1);
    // After migrated rows (their old seq), the next position is still the new log's.
    expect(isLogPosition(nextPosition(123_456, t0))).toBe(true);
  });

  it("jump to the next day's range at UTC midnight and never go back when the clock does", () => {
    const a = nextPosition(0, t0);
    const b = nextPosition(a, t0 + DAY);
    expect(b).toBe((dayOf(t0) + 1) * LEGACY_LIMIT + 1);
    expect(nextPosition(b, t0)).toBe(b + 1);
    expect(Number.isSafeInteger(nextPosition(0, Date.UTC(2200, 0, 1)))).toBe(true);
  });
});

describe("guard buckets and party keys", () => {
  it("spread (source, id) over a fixed number of guards, the same pair always to the same one", () => {
    const buckets = new Set<number>();
    for (let i = 0; i < 2000; i++) buckets.add(guardBucket("https://s.example", `id-${i}`));
    for (const b of buckets) expect(b).toBeGreaterThanOrEqual(0);
    expect(Math.max(...buckets)).toBeLessThan(GUARD_BUCKETS);
    expect(buckets.size).toBeGreaterThan(1500);
    expect(guardBucket("a", "b")).toBe(guardBucket("a", "b"));
  });

  it("index only app events about a party", () => {
    expect(partyOf({ resource: "urn:altinn:resource:app_ttd_x", subject: "/party/5001" })).toBe("5001");
    expect(partyOf({ resource: "urn:altinn:resource:app_ttd_x", subject: "/person/1" })).toBeNull();
    expect(partyOf({ resource: "urn:altinn:resource:other", subject: "/party/5001" })).toBeNull();
  });
});
