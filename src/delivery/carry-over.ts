/**
 * One matcher invocation makes at most `MAX_HANDOVERS_PER_INVOCATION` Durable Object calls (SPEC
 * §7.1: an invocation has a bounded number of subrequests, and each RPC to an object is one). An
 * event matching more subscriptions is handed over in parts: subscriptions in id order, the rest
 * carried over in a new queue message that says how far the event got (`after`). Objects ignore a
 * position they already hold, so a part repeated after a failure costs calls, never a second push.
 */
import type { Env } from "../env";
import type { EventMessage } from "../events/dispatch";
import { jsonBytes, splitBatches } from "../events/queue-batches";

/**
 * Workers Paid allows 10,000 subrequests per invocation by default (configurable), Workers Free 50
 * (developers.cloudflare.com/workers/platform/limits). 500 leaves room on Paid for the batch's D1
 * statements and queue sends (about 40); on Free set `MATCHER_MAX_HANDOVERS` to about 10.
 */
export const MAX_HANDOVERS_PER_INVOCATION = 500;

/** The cap for this deployment: `MATCHER_MAX_HANDOVERS` when it is a positive integer, else the default. */
export function handoverCap(env: Pick<Env, "MATCHER_MAX_HANDOVERS">): number {
  const n = Number(env.MATCHER_MAX_HANDOVERS);
  return Number.isSafeInteger(n) && n > 0 ? n : MAX_HANDOVERS_PER_INVOCATION;
}

/** An events queue message; `after`: subscriptions up to this id already hold the event (an earlier part). */
export interface MatcherMessage extends EventMessage {
  after?: number;
}

/**
 * The hand-overs this invocation makes (`now`: the `max` of the lowest subscription ids), those left
 * for a later part, and the id up to which every subscription is then served (null: all are now).
 */
export function capHandovers<T extends { sub: { id: number } }>(
  handovers: readonly T[],
  max: number,
): { now: T[]; later: T[]; after: number | null } {
  if (handovers.length <= max) return { now: [...handovers], later: [], after: null };
  const sorted = [...handovers].sort((a, b) => a.sub.id - b.sub.id);
  const now = sorted.slice(0, max);
  return { now, later: sorted.slice(max), after: now.at(-1)!.sub.id };
}

/** Sends each message again with how far it got; rejects when a piece could not be sent. */
export async function sendContinuations(env: Env, messages: readonly MatcherMessage[], after: number): Promise<void> {
  const bodies = messages.map((m) => ({ ...m, after: Math.max(m.after ?? 0, after) }));
  for (const piece of splitBatches(bodies.map((item) => ({ item, bytes: jsonBytes(item) }))))
    await env.EVENTS_QUEUE.sendBatch(piece.map((body) => ({ body, contentType: "json" as const })));
}
