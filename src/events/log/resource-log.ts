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

/**
 * A page of a log's events after `q.afterPos`, in position order, of at most `MAX_ANSWER_BYTES`
 * (UTF-8) in all. A page cut at that budget ends with the last row read, so a cursor at its last
 * event reads on from there: nothing after a cut answer (the rest of a segment, newer segments, the
 * head) is skipped.
 */
export async function readLog(env: Env, headName: string, q: RowQuery): Promise<RawEvent[]> {
  return (await readLogPage(env, headName, q)).rows;
}

/** `readLog` that also says whether the page was cut at the byte budget (more rows may follow its last). */
export async function readLogPage(
  env: Env,
  headName: string,
  q: RowQuery,
): Promise<{ rows: RawEvent[]; cut: boolean }> {
  const head = logStub(env, headName);
  const out: RawEvent[] = [];
  let after = q.afterPos;
  let bytes = 0;
  // What is left of the page's budget; the first answer always holds at least one row.
  const budget = (): Partial<RowQuery> => (out.length ? { bytesLeft: MAX_ANSWER_BYTES - bytes } : {});
  // Each round either ends the read or moves `after` past at least one segment.
  for (;;) {
    const { rows, cut, segments } = await head.list({ ...q, afterPos: after, size: q.size - out.length, ...budget() });
    if (!segments.length) return { rows: [...out, ...rows], cut };
    for (const seg of segments) {
      const part = await segmentStub(env, headName, seg.n).list({
        ...q,
        afterPos: after,
        size: q.size - out.length,
        ...budget(),
      });
      out.push(...part.rows);
      bytes += part.bytes;
      // A full page, or one cut at the byte budget: the rest of this segment comes on the next page.
      if (out.length >= q.size || part.cut) return { rows: out, cut: part.cut };
      after = Math.max(after, seg.last, out.at(-1)?.seq ?? 0);
      if (q.beforePos !== undefined && after >= q.beforePos - 1) return { rows: out, cut: false };
    }
  }
}

/** A page of one resource's events. */
export function readResourceLog(env: Env, resource: string, q: RowQuery): Promise<{ rows: RawEvent[]; cut: boolean }> {
  return readLogPage(env, resourceLogName(resource), q);
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
