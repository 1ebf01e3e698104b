/**
 * Queue messages of the SMS consumer, pure. A message is one gateway session (`{orderId, ids}`, feed.ts);
 * a message of the earlier shape (`{notificationId}`, one SMS) is still understood, so messages queued
 * before a deploy are sent.
 */
import { SESSION_SIZE } from "./feed";

export interface SmsUnit<M> {
  message: M;
  ids: string[];
}

const isId = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 64;

/** The SMS ids a message names, or null when it is not an SMS message at all (acknowledged, never retried). */
export function messageIds(body: unknown): string[] | null {
  const b = body as { notificationId?: unknown; ids?: unknown } | null;
  if (!b || typeof b !== "object") return null;
  if (isId(b.notificationId)) return [b.notificationId];
  if (Array.isArray(b.ids) && b.ids.length > 0 && b.ids.length <= SESSION_SIZE && b.ids.every(isId)) return b.ids;
  return null;
}

/**
 * Pure: the gateway sessions for the claimed SMS, in message order: one per session message, and the
 * messages of one SMS (a small order's session, or the earlier shape) together. An SMS named twice
 * goes once.
 */
export function gatewaySessions<M>(units: SmsUnit<M>[], claimed: Set<string>): string[][] {
  const taken = new Set<string>();
  const sessions: string[][] = [];
  const singles: string[] = [];
  for (const u of units) {
    const ids = u.ids.filter((id) => claimed.has(id) && !taken.has(id));
    for (const id of ids) taken.add(id);
    if (u.ids.length === 1) singles.push(...ids);
    else if (ids.length) sessions.push(ids);
  }
  for (let i = 0; i < singles.length; i += SESSION_SIZE) sessions.push(singles.slice(i, i + SESSION_SIZE));
  return sessions;
}

/** What a message's SMS still need from it: nothing ("done"), or to come back after a delay (seconds). */
export type SmsNeed = "done" | number;

/**
 * Pure: a message is acknowledged once each of its SMS is done (an outcome stored, deferred to the
 * feed, final); otherwise it comes back after the shortest wait any of them needs. An SMS without a
 * decision (its outcome could not be stored) brings it back after `undecidedDelay`.
 */
export function settlement(
  ids: string[],
  needs: Map<string, SmsNeed>,
  undecidedDelay: number,
): { kind: "ack" } | { kind: "retry"; delaySeconds: number } {
  let delay: number | null = null;
  for (const id of ids) {
    const need = needs.get(id) ?? undecidedDelay;
    if (need !== "done") delay = delay === null ? need : Math.min(delay, need);
  }
  return delay === null ? { kind: "ack" } : { kind: "retry", delaySeconds: delay };
}
