/**
 * Events retention (SPEC §7.2): the cron deletes events stored before the retention window, oldest
 * first through the `events_stored` index, in bounded statements. Reads need nothing special: a
 * cursor names a position, and `seq > cursor` reads on from the oldest kept event.
 */
import type { Env } from "../env";

export const EVENT_PRUNE = { batch: 1000, maxBatches: 20, budgetMs: 10_000 };

/** Deletes up to `batch × maxBatches` expired events; returns how many went. */
export async function pruneEvents(env: Env, now: Date, retentionMs: number, limits = EVENT_PRUNE): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionMs).toISOString();
  const started = Date.now();
  let deleted = 0;
  for (let i = 0; i < limits.maxBatches && Date.now() - started < limits.budgetMs; i++) {
    const r = await env.DB.prepare(PRUNE_EVENTS_SQL).bind(cutoff, limits.batch).run();
    deleted += r.meta.changes;
    if (r.meta.changes < limits.batch) break;
  }
  return deleted;
}

export const PRUNE_EVENTS_SQL =
  "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE stored_at < ? ORDER BY stored_at LIMIT ?)";
