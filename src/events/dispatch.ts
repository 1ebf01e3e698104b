import type { AppContext } from "../http/context";
import type { Env } from "../env";
import type { CloudEvent } from "./cloudevent";
import { insertEvent, markDispatched, undispatchedEvents, type StoredEvent } from "./queries";

/** What the events queue carries: the stored event and its position. */
export interface EventMessage {
  seq: number;
  event: CloudEvent;
}

/**
 * Stores the event (durable before we answer) and hands it to the delivery queue. If the queue
 * send fails the row keeps `dispatched_at IS NULL` and the cron's outbox sweep sends it later,
 * so a stored event is never lost to the pipeline. Returns false for a duplicate (source, id).
 */
export async function publish(app: AppContext, event: CloudEvent): Promise<boolean> {
  const now = app.now();
  const seq = await insertEvent(app.env, event, now);
  if (seq === null) return false;
  try {
    await app.env.EVENTS_QUEUE.send({ seq, event } satisfies EventMessage, { contentType: "json" });
    app.exec.waitUntil(markDispatched(app.env, [seq], now));
  } catch (e) {
    console.error(JSON.stringify({ msg: "event queue send failed; the outbox sweep will retry", seq, traceId: app.traceId, error: String(e) }));
  }
  return true;
}

/** Cron: re-sends events stored over a minute ago that never reached the queue. */
export async function sweepOutbox(env: Env, now: Date): Promise<number> {
  const stragglers: StoredEvent[] = await undispatchedEvents(env, new Date(now.getTime() - 60_000), 100);
  if (!stragglers.length) return 0;
  await env.EVENTS_QUEUE.sendBatch(stragglers.map((s) => ({ body: { seq: s.seq, event: s.event } satisfies EventMessage, contentType: "json" as const })));
  await markDispatched(env, stragglers.map((s) => s.seq), now);
  return stragglers.length;
}
