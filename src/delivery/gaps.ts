/** Gap filling's D1 read (src/delivery/durable-object.ts): header columns only, no event bodies. */
import { objectsConfigured } from "../events/log/mode";
import type { Env } from "../env";
import type { CloudEvent } from "../events/cloudevent";
import { eventsBySeq, type OutboxEvent } from "../events/outbox";
import { isLogPosition } from "../events/log/position";
import { readResourceLog, resourceEventsAt } from "../events/log/resource-log";
import { parsed } from "../events/log/rows";
import { eventLogStub } from "../events/log/stubs";

export interface EventHeader {
  seq: number;
  /** The attributes the subscription filters look at (`matches`), without the body. */
  header: CloudEvent;
}

export const GAP_HEADERS_SQL =
  "SELECT seq, id, source, resource, type, subject, alternativesubject FROM events WHERE resource = ? AND seq > ? AND seq < ? ORDER BY seq LIMIT ?";

/**
 * One resource's events strictly between two positions, oldest first: from the resource's
 * `EventLog` when the later position is the new log's (it holds the migrated rows too), else from
 * D1 through `events_resource_seq`.
 */
export async function eventHeadersBetween(
  env: Env,
  resource: string,
  afterSeq: number,
  beforeSeq: number,
  limit: number,
): Promise<EventHeader[]> {
  if (isLogPosition(beforeSeq)) {
    // More than one page only when a page was cut at one answer's bytes (it ends at its last row).
    const headers: EventHeader[] = [];
    let after = afterSeq;
    for (;;) {
      const page = await readResourceLog(env, resource, {
        afterPos: after,
        beforePos: beforeSeq,
        size: limit - headers.length,
      });
      headers.push(...parsed(page.rows).map((e) => ({ seq: e.seq, header: e.event })));
      if (!page.cut || !page.rows.length || headers.length >= limit) break;
      after = page.rows.at(-1)!.seq;
    }
    return headers;
  }
  const { results } = await env.DB.prepare(GAP_HEADERS_SQL)
    .bind(resource, afterSeq, beforeSeq, limit)
    .all<Record<string, string | number | null>>();
  return results.map((r) => ({
    seq: r.seq as number,
    header: {
      id: r.id as string,
      source: r.source as string,
      resource: r.resource as string,
      type: r.type as string,
      specversion: "1.0",
      ...(r.subject !== null ? { subject: r.subject as string } : {}),
      ...(r.alternativesubject !== null ? { alternativesubject: r.alternativesubject as string } : {}),
    } as CloudEvent,
  }));
}

/** Stored events of one resource by position: from its `EventLog` for the new log's positions, else D1 (then the log). */
export async function eventsAt(env: Env, resource: string, seqs: number[]): Promise<OutboxEvent[]> {
  const fromLog = seqs.filter(isLogPosition);
  const legacy = seqs.filter((s) => !isLogPosition(s));
  const found = legacy.length ? await eventsBySeq(env, legacy) : [];
  const missing = [...fromLog, ...legacy.filter((s) => !found.some((f) => f.seq === s))];
  if (missing.length) found.push(...(await resourceEventsAt(env, resource, missing)));
  return found.sort((a, b) => a.seq - b.seq);
}

/** The newest position of a resource's events in either log (a subscription validated now skips up to it). */
export async function latestPosition(env: Env, resource: string, latestInD1: number): Promise<number> {
  // With the D1 log configured the resource's log object is not even created.
  if (!objectsConfigured(env)) return latestInD1;
  return Math.max(latestInD1, await eventLogStub(env, resource).latest());
}
