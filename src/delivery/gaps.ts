/** Gap filling's D1 read (src/delivery/durable-object.ts): header columns only, no event bodies. */
import type { Env } from "../env";
import type { CloudEvent } from "../events/cloudevent";

export interface EventHeader {
  seq: number;
  /** The attributes the subscription filters look at (`matches`), without the body. */
  header: CloudEvent;
}

export const GAP_HEADERS_SQL =
  "SELECT seq, id, source, resource, type, subject, alternativesubject FROM events WHERE resource = ? AND seq > ? AND seq < ? ORDER BY seq LIMIT ?";

/** One resource's events strictly between two positions, oldest first, through `events_resource_seq`. */
export async function eventHeadersBetween(
  env: Env,
  resource: string,
  afterSeq: number,
  beforeSeq: number,
  limit: number,
): Promise<EventHeader[]> {
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
