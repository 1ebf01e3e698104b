import type { AppContext } from "../http/context";
import type { Env } from "../env";
import { errorText } from "../lib/errors";
import { mapLimited } from "../lib/parallel";
import type { CloudEvent } from "./cloudevent";
import { leaseDueEvents, OUTBOX_RETRY_MS, rescheduleOutbox } from "./outbox";
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
  event?: CloudEvent;
}

/**
 * Stores the event (durable before we answer, and in the outbox until the matcher has handed it to
 * every matching subscription) and hands it to the delivery queue. If the send fails, or the message
 * is lost later, the cron's outbox sweep sends it again. Returns false for a duplicate (source, id).
 */
export async function publish(app: AppContext, event: CloudEvent): Promise<boolean> {
  const now = app.now();
  const stored = await insertEvent(app.env, event, now);
  if (stored === null) return false;
  const { seq } = stored;
  try {
    await app.env.EVENTS_QUEUE.send(messageFor({ ...stored, event }), { contentType: "json" });
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

export function messageFor(e: { seq: number; prev?: number | null; event: CloudEvent }): EventMessage {
  const position: EventMessage = { seq: e.seq, ...(typeof e.prev === "number" ? { prev: e.prev } : {}) };
  const full: EventMessage = { ...position, event: e.event };
  return jsonBytes(full) > QUEUE_LIMITS.maxMessageBytes ? position : full;
}

/** Bounded work per cron tick: pages of events, up to a number of pages and a wall-clock budget. */
export const SWEEP = { pageSize: 250, maxPages: 60, budgetMs: 25_000, parallelSends: 6 };

export interface SweepResult {
  sent: number;
  failed: number;
}

/**
 * Cron: sends the outbox's due events to the queue. Batches are split by count and bytes (SPEC §7.1);
 * a piece that fails is put back a minute later and never blocks the pieces behind it. A backlog of
 * 100,000 drains in a few ticks (up to 15,000 events a tick).
 */
export async function sweepOutbox(
  env: Env,
  now: Date,
  queue: Queue<unknown> = env.EVENTS_QUEUE,
  limits = SWEEP,
): Promise<SweepResult> {
  const started = Date.now();
  const result: SweepResult = { sent: 0, failed: 0 };
  for (let page = 0; page < limits.maxPages && Date.now() - started < limits.budgetMs; page++) {
    const due = await leaseDueEvents(env, now.getTime(), limits.pageSize);
    if (!due.length) break;
    const pieces = splitBatches(
      due.map((e) => {
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
    if (due.length < limits.pageSize) break;
  }
  return result;
}
