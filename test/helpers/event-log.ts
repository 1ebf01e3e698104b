import { env } from "cloudflare:test";
import { readEvents } from "../../src/events/log-store";
import type { StoredEvent } from "../../src/events/queries";

/** A resource's stored events (the first 1,000), from the log the Worker is configured with. */
export function storedEvents(resource: string, vars: { EVENT_LOG?: string } = {}): Promise<StoredEvent[]> {
  return readEvents({ ...env, ...vars }, { resource, afterSeq: 0, size: 1000 });
}

/** The D1 log, pinned: tests that inspect its table, queue and outbox (it serves `EVENT_LOG=d1`). */
export const D1_LOG = { EVENT_LOG: "d1" } as const;
