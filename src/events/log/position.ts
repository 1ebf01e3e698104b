/**
 * Positions in the partitioned event log (docs/event-log.md). A position is a per-resource integer
 * (per party in a party index) that only grows. New positions carry the UTC day of the append in
 * their high part, `day × 2³² + n`, so they are above every position the one-table D1 log ever gave
 * (its global `seq`, far below 2³²): migrated rows keep their old `seq` as their position, so a `vc1`
 * cursor handed out before the migration names the same place afterwards and reads on with no gap
 * and no duplicate. A clock that steps back never makes a position smaller (`max` with the last).
 * Pure functions; the clock is passed in.
 */

/** Positions below this came from the D1 log (its global `seq`); at or above it, from the new log. */
export const LEGACY_LIMIT = 2 ** 32;

const DAY_MS = 86_400_000;

/** The UTC day number of a time (days since 1970-01-01). */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** The position after `last` for an append at `nowMs`. */
export function nextPosition(last: number, nowMs: number): number {
  return Math.max(last + 1, dayOf(nowMs) * LEGACY_LIMIT + 1);
}

/** Was this position given by the new log (not carried over from the D1 log)? */
export function isLogPosition(pos: number): boolean {
  return pos >= LEGACY_LIMIT;
}
