/**
 * Reading a log across its head and segments (src/events/log/event-log.ts): a resource's
 * (`log:<urn>`) or a party's (`party:<id>`). The head names the segments that hold positions after
 * the reader's; the reader reads them in order and asks the head again, so rows moved to a segment
 * between two calls are found there: no gap, no duplicate. Everything a caller outside the log
 * needs goes through here.
 */
import type { Env } from "../../env";
import type { OutboxEvent } from "../outbox";
import { MAX_ANSWER_BYTES, parsed, type RawEvent, type RowQuery } from "./rows";
import { logStub, resourceLogName, segmentStub } from "./stubs";

/** A page of a log's events after `q.afterPos`, in position order. */
export async function readLog(env: Env, headName: string, q: RowQuery): Promise<RawEvent[]> {
  const head = logStub(env, headName);
  const out: RawEvent[] = [];
  let after = q.afterPos;
  let bytes = 0;
  // Each round either ends the read or moves `after` past at least one segment.
  for (;;) {
    const { rows, segments } = await head.list({ ...q, afterPos: after, size: q.size - out.length });
    if (!segments.length) return [...out, ...rows];
    for (const seg of segments) {
      const part = await segmentStub(env, headName, seg.n).list({ ...q, afterPos: after, size: q.size - out.length });
      out.push(...part.rows);
      bytes += part.rows.reduce((n, r) => n + r.cloudevent.length, 0);
      // A full page, or as many bytes as one answer carries (a short page still has a `next` link).
      if (out.length >= q.size || (out.length && bytes > MAX_ANSWER_BYTES)) return out;
      after = Math.max(after, seg.last, out.at(-1)?.seq ?? 0);
      if (q.beforePos !== undefined && after >= q.beforePos - 1) return out;
    }
  }
}

/** A page of one resource's events. */
export function readResourceLog(env: Env, resource: string, q: RowQuery): Promise<RawEvent[]> {
  return readLog(env, resourceLogName(resource), q);
}

/** Events of one resource by position, wherever they are now (missing: past retention). */
export async function resourceEventsAt(env: Env, resource: string, positions: number[]): Promise<OutboxEvent[]> {
  if (!positions.length) return [];
  const headName = resourceLogName(resource);
  const found: RawEvent[] = [];
  // Groups of 100: an answer stays within an RPC message (100 events of at most 64 KiB).
  for (let i = 0; i < positions.length; i += 100) {
    const { rows, elsewhere } = await logStub(env, headName).at(positions.slice(i, i + 100));
    found.push(...rows);
    for (const { n, positions: ps } of elsewhere) found.push(...(await segmentStub(env, headName, n).at(ps)).rows);
  }
  return parsed(found).sort((a, b) => a.seq - b.seq);
}

/** The first position of an event id in a log (oldest segment first), optionally within one subject. */
export async function logPositionOfId(
  env: Env,
  headName: string,
  id: string,
  subject?: string,
): Promise<number | null> {
  const head = logStub(env, headName);
  for (const seg of await head.segments()) {
    const pos = await segmentStub(env, headName, seg.n).positionOfId(id, subject);
    if (pos !== null) return pos;
  }
  return head.positionOfId(id, subject);
}
