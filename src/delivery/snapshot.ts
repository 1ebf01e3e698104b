/**
 * What a push needs to know about its subscription (issue 10): where it goes, how it is signed, and
 * whether the consumer still holds the `subscribe` right (SPEC §4.5). The matcher hands each object
 * a snapshot of it with the events, read at a stamped time; the object uses it for a first attempt
 * while it is fresh and reads D1 otherwise. Pure functions: no I/O, the clock passed in.
 */
import type { Resource } from "../resources/policy";
import { callerOfConsumer, maySubscribe } from "../subscriptions/rules";
import type { SubscriptionRow } from "../subscriptions/table";

/**
 * How old a snapshot may be and still stand in for D1 on a first attempt. Every change to a
 * subscription or to its resource's policy bumps the resource's generation in the same transaction,
 * and the snapshot is confirmed by a generation read made after `at`: so it is never more than this
 * much behind the registry, and only for events matched before the change (docs/decisions.md).
 */
export const SNAPSHOT_MAX_AGE_MS = 5_000;

export interface PushTarget {
  endPoint: string;
  secret: string;
  /** The consumer's `subscribe` right, decided from the resource's policy. */
  allowed: boolean;
  /** The subscription's resource: where a push whose body was dropped reads its event again. */
  resource: string;
}

export interface PushSnapshot extends PushTarget {
  /** Epoch ms taken before the generation read that confirmed the snapshot. */
  at: number;
  /** The resource's generation the snapshot was confirmed at (for the logs; `at` orders snapshots). */
  gen: number;
}

/** The push target of a subscription row under the resource's policy as read. */
export function targetOf(sub: SubscriptionRow, resource: Resource | null): PushTarget {
  return {
    endPoint: sub.endPoint,
    secret: sub.secret,
    resource: sub.resourceFilter,
    allowed: maySubscribe(resource, callerOfConsumer(sub.consumer, sub.consumerParty), sub.subjectFilter),
  };
}

/**
 * The snapshot a push may use instead of reading D1, or null: only a first attempt (no attempt made
 * yet: retries and redeliveries of attempted pushes always re-read), and only while the snapshot is
 * at most `maxAgeMs` old. A snapshot stamped in the future (a clock far off) is not trusted either.
 */
export function usableSnapshot(
  snapshot: PushSnapshot | null,
  push: { attempts: number },
  now: number,
  maxAgeMs = SNAPSHOT_MAX_AGE_MS,
): PushSnapshot | null {
  if (!snapshot || push.attempts > 0) return null;
  return Math.abs(now - snapshot.at) <= maxAgeMs ? snapshot : null;
}

/** The newer of two snapshots: a hand-over retried late must not replace what a later one brought. */
export function newerSnapshot(held: PushSnapshot | null, incoming: PushSnapshot | undefined): PushSnapshot | null {
  if (!incoming) return held;
  return !held || incoming.at >= held.at ? incoming : held;
}
