// The rules by which a push may go by the matcher's snapshot instead of reading D1 (issue 10).
import { describe, expect, it } from "vitest";
import { newerSnapshot, SNAPSHOT_MAX_AGE_MS, targetOf, usableSnapshot } from "../../src/delivery/snapshot";
import type { Resource } from "../../src/resources/policy";
import type { SubscriptionRow } from "../../src/subscriptions/table";

const snap = (at: number, allowed = true) => ({
  at,
  gen: 3,
  endPoint: "https://x.example/h",
  secret: "whsec_x",
  allowed,
  resource: "urn:altinn:resource:x",
});
const NOW = 1_800_000_000_000;

describe("usableSnapshot", () => {
  it("a first attempt goes by a snapshot up to the bound old, not older", () => {
    expect(usableSnapshot(snap(NOW), { attempts: 0 }, NOW)).not.toBeNull();
    expect(usableSnapshot(snap(NOW - SNAPSHOT_MAX_AGE_MS), { attempts: 0 }, NOW)).not.toBeNull();
    expect(usableSnapshot(snap(NOW - SNAPSHOT_MAX_AGE_MS - 1), { attempts: 0 }, NOW)).toBeNull();
  });

  it("a retry or a redelivery of an attempted push never does, however fresh the snapshot", () => {
    expect(usableSnapshot(snap(NOW), { attempts: 1 }, NOW)).toBeNull();
    expect(usableSnapshot(snap(NOW), { attempts: 12 }, NOW)).toBeNull();
  });

  it("nothing handed over, or stamped far in the future (a clock off), is not trusted", () => {
    expect(usableSnapshot(null, { attempts: 0 }, NOW)).toBeNull();
    expect(usableSnapshot(snap(NOW + SNAPSHOT_MAX_AGE_MS + 1), { attempts: 0 }, NOW)).toBeNull();
  });
});

describe("newerSnapshot", () => {
  it("keeps the later stamp: a hand-over retried late does not bring back an older decision", () => {
    const older = snap(NOW - 100, true);
    const later = snap(NOW, false);
    expect(newerSnapshot(later, older)).toBe(later);
    expect(newerSnapshot(older, later)).toBe(later);
    expect(newerSnapshot(null, older)).toBe(older);
    expect(newerSnapshot(later, undefined)).toBe(later);
  });
});

describe("targetOf", () => {
  const sub = {
    id: 1,
    endPoint: "https://x.example/h",
    secret: "whsec_x",
    resourceFilter: "urn:altinn:resource:r1",
    subjectFilter: null,
    consumer: "/org/skd",
    consumerParty: null,
  } as SubscriptionRow;
  const resource = (grants: Resource["grants"]): Resource => ({ id: "r1", owner: "ttd", title: "r1", grants });

  it("decides the consumer's subscribe right from the policy as read", () => {
    expect(targetOf(sub, resource([{ subject: "/org/skd", actions: ["subscribe"] }])).allowed).toBe(true);
    expect(targetOf(sub, resource([{ subject: "/org/skd", actions: ["read"] }])).allowed).toBe(false);
    expect(targetOf(sub, null).allowed).toBe(false);
    expect(targetOf(sub, resource([]))).toMatchObject({ endPoint: sub.endPoint, secret: sub.secret });
  });
});
