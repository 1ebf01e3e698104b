import type { AppContext } from "../http/context";
import type { Env } from "../env";
import { errorText } from "../lib/errors";
import { mapLimited } from "../lib/parallel";
import type { CloudEvent } from "./cloudevent";
import { interleaveBy } from "../delivery/fair";
import { EVENTS_LANE_WINDOW, laneOf } from "./lanes";
import { heldLanes, leaseDueEvents, OUTBOX_RETRY_MS, type OutboxEvent, rescheduleOutbox, settleOutbox } from "./outbox";
import { insertEvent } from "./queries";
import { jsonBytes, QUEUE_LIMITS, splitBatches } from "./queue-batches";

/**
 * What the events queue carries: the stored event and its position. An event too large for one
 * queue message travels as its position only, and the matcher reads it from D1.
 */
export interface EventMessage {
  seq: number;
  /** The previous event of the same resource (0: none); absent when not known (stored before 0013). */
  prev?: number;
  /** The event's lane (src/events/lanes.ts): the matcher tops it up after confirming. Absent before 0016. */
  lane?: string;
  event?: CloudEvent;
}

/**
 * Stores the event (durable before we answer, and in the outbox until the matcher has handed it to
 * every matching subscription) and hands it to the delivery queue, unless its lane already has its
 * window of events there: then it waits in the outbox, held, and the matcher sends it when the lane
 * has room (it is readable at once either way). If the send fails, or the message is lost later, the
 * cron's outbox sweep sends it again. `owner` is the resource's owner org, when the caller loaded it;
 * `publisher` the caller's principal (a grantee publishing to another org's resource gets its own lane).
 * Returns false for a duplicate (source, id).
 */
export async function publish(
  app: AppContext,
  event: CloudEvent,
  owner?: string,
  publisher?: string | null,
): Promise<boolean> {
  const now = app.now();
  const lane = laneOf(event.resource, owner, publisher);
  const stored = await insertEvent(app.env, event, now, lane, EVENTS_LANE_WINDOW);
  if (stored === null) return false;
  if (stored.held) return true;
  const { seq } = stored;
  try {
    await app.env.EVENTS_QUEUE.send(messageFor({ seq, prev: stored.prev, lane, event }), { contentType: "json" });
  } catch (e) {
    console.error(
      JSON.stringify({
        msg: "event queue send failed; the outbox sweep will retry",
        seq,
        traceId: app.traceId,
        error: errorText(e),
      }),
    );
  }
  return true;
}

export function messageFor(e: { seq: number; prev?: number | null; lane?: string; event: CloudEvent }): EventMessage {
  const position: EventMessage = {
    seq: e.seq,
    ...(typeof e.prev === "number" ? { prev: e.prev } : {}),
    ...(e.lane !== undefined ? { lane: e.lane } : {}),
  };
  const full: EventMessage = { ...position, event: e.event };
  return jsonBytes(full) > QUEUE_LIMITS.maxMessageBytes ? position : full;
}

/** Bounded work per cron tick: pages of events, up to a number of pages and a wall-clock budget. */
export const SWEEP = { pageSize: 250, maxPages: 60, budgetMs: 25_000, parallelSends: 6, lanesPerPage: 100 };

export interface SweepResult {
  sent: number;
  failed: number;
}

/**
 * Cron: sends the outbox's due events to the queue, then tops up every lane that holds events to its
 * window (a safety net: normally the matcher does it as it confirms). Each page is interleaved by lane
 * (a lane's events keep their order), so a backlog of one tenant's events does not put another's
 * behind all of it. Batches are split by count and bytes (SPEC §7.1); a piece that fails is put back
 * a minute later and never blocks the pieces behind it. A backlog of 100,000 due events drains in a
 * few ticks (up to 15,000 events a tick); held events go out a window per lane at a time.
 */
export async function sweepOutbox(
  env: Env,
  now: Date,
  queue: Queue<unknown> = env.EVENTS_QUEUE,
  limits = SWEEP,
): Promise<SweepResult> {
  const started = Date.now();
  const result: SweepResult = { sent: 0, failed: 0 };
  const more = (page: number) => page < limits.maxPages && Date.now() - started < limits.budgetMs;
  let page = 0;
  for (; more(page); page++) {
    const due = await leaseDueEvents(env, now.getTime(), limits.pageSize);
    if (!due.length) break;
    await sendPage(env, queue, due, limits, result);
    if (due.length < limits.pageSize) break;
  }
  for (let after = ""; more(page); page++) {
    const lanes = await heldLanes(env, after, limits.lanesPerPage);
    if (!lanes.length) break;
    // The clock moved on while earlier pages were sent: count each lane's window as of now.
    const at = new Date(now.getTime() + (Date.now() - started));
    await sendPage(env, queue, await settleOutbox(env, [], lanes, at, EVENTS_LANE_WINDOW), limits, result);
    if (lanes.length < limits.lanesPerPage) break;
    after = lanes.at(-1)!;
  }
  return result;
}

/** Sends leased outbox events, interleaved by lane, in pieces within the queue's limits. */
async function sendPage(
  env: Env,
  queue: Queue<unknown>,
  events: OutboxEvent[],
  limits: typeof SWEEP,
  result: SweepResult,
): Promise<void> {
  const pieces = splitBatches(
    interleaveBy(events, (e) => e.lane ?? e.event.resource).map((e) => {
      const body = messageFor(e);
      return { item: body, bytes: jsonBytes(body) };
    }),
  );
  await mapLimited(pieces, limits.parallelSends, async (piece) => {
    try {
      await queue.sendBatch(piece.map((body) => ({ body, contentType: "json" as const })));
      result.sent += piece.length;
    } catch (e) {
      result.failed += piece.length;
      console.error(
        JSON.stringify({
          msg: "outbox piece not sent; retried next minute",
          events: piece.length,
          error: errorText(e),
        }),
      );
      await rescheduleOutbox(
        env,
        piece.map((m) => m.seq),
        Date.now() + OUTBOX_RETRY_MS,
      ).catch(() => undefined);
    }
  });
}

/**
 * Hands stored outbox events to the events queue in pieces within the queue's limits, oldest first
 * (lane top-ups, status events). The first piece that fails stops the rest: they are all in the
 * outbox, due a grace minute on, and the cron's sweep sends them in order.
 */
export async function sendToQueue(env: Env, events: OutboxEvent[], what: string): Promise<void> {
  const pieces = splitBatches(
    events.map((e) => {
      const body = messageFor(e);
      return { item: body, bytes: jsonBytes(body) };
    }),
  );
  for (const piece of pieces) {
    try {
      await env.EVENTS_QUEUE.sendBatch(piece.map((body) => ({ body, contentType: "json" as const })));
    } catch (e) {
      console.error(
        JSON.stringify({
          msg: `${what} not sent; the outbox sweep sends it`,
          events: piece.length,
          error: errorText(e),
        }),
      );
      return;
    }
  }
}
