/**
 * The log's outbox hand-over (SPEC §7.1): a resource's `EventLog` hands its unconfirmed events to
 * every matching subscription's Durable Object (which persists them before answering) and only then
 * deletes them from its outbox. It serves one resource, so its candidates are that resource's
 * subscriptions, cached per isolate and reloaded when the resource's generation moves (the same
 * generation the matcher uses): one D1 statement per batch, whatever other tenants do.
 */
import type { Env } from "../../env";
import type { CloudEvent } from "../cloudevent";
import { handOverPrev } from "../../delivery/matcher";
import { deliveryStub } from "../../delivery/stub";
import { logStub, partyLogName, partyOf } from "./stubs";
import { errorText } from "../../lib/errors";
import { mapLimited } from "../../lib/parallel";
import { resourceGenerations, subscriptionsForResources } from "../../subscriptions/queries";
import { matches } from "../../subscriptions/rules";
import type { SubscriptionRow } from "../../subscriptions/table";

/** Hand-overs in flight at once (an invocation keeps at most 6 connections open; the rest wait). */
const PARALLEL_HANDOVERS = 6;

export interface LogItem {
  seq: number;
  /** The resource's previous event (0: none). */
  prev: number;
  /** When the resource's log stored it (a party's copy is no older). */
  storedAt: number;
  event: CloudEvent;
}

const cache = new Map<string, { gen: number; subs: SubscriptionRow[] }>();

async function candidates(env: Env, resource: string): Promise<SubscriptionRow[]> {
  const gen = (await resourceGenerations(env, [resource])).get(resource) ?? 0;
  const hit = cache.get(resource);
  if (hit && hit.gen === gen) return hit.subs;
  const subs = await subscriptionsForResources(env, [resource]);
  if (cache.size > 10_000) cache.clear();
  cache.set(resource, { gen, subs });
  return subs;
}

/** Hands the items (one resource's, in position order) over; true when every matching object holds them. */
export async function handOverToSubscriptions(env: Env, resource: string, items: LogItem[]): Promise<boolean> {
  if (!items.length) return true;
  const subs = await candidates(env, resource);
  const bySeq = new Map(items.map((i) => [i.seq, i]));
  const work = subs
    .map((sub) => ({ sub, mine: items.filter((i) => matches(sub, i.event)) }))
    .filter((w) => w.mine.length);
  const ok = await mapLimited(work, PARALLEL_HANDOVERS, async ({ sub, mine }) => {
    try {
      const prev = handOverPrev(mine[0]!, bySeq, (event) => matches(sub, event));
      await deliveryStub(env, sub.id).enqueue(
        mine.map((i, n) => ({ seq: i.seq, event: i.event, ...(n === 0 && prev !== undefined ? { prev } : {}) })),
      );
      return true;
    } catch (e) {
      console.error(
        JSON.stringify({
          msg: "log hand-over to a subscription failed; retried",
          subscription: sub.id,
          error: errorText(e),
        }),
      );
      return false;
    }
  });
  return ok.every(Boolean);
}

/**
 * Makes sure every app event about a party is in that party's log (`/app/party`). Publish writes the
 * copy before it answers; the outbox repeats it (idempotent on (source, id)) so a publish cut off
 * between the append and the copy still reaches the party. Throws when a copy fails (retried).
 */
export async function copyToParties(env: Env, items: LogItem[]): Promise<void> {
  const now = Date.now();
  for (const item of items) {
    const party = partyOf(item.event);
    if (party) await logStub(env, partyLogName(party)).index(party, item.event, now, item.storedAt);
  }
}
