/**
 * The log's outbox hand-over (SPEC §7.1): a resource's `EventLog` hands its unconfirmed events to
 * every matching subscription's Durable Object (which persists them before answering) and only then
 * deletes them from its outbox. It serves one resource, so its candidates are that resource's
 * subscriptions and policy, from the same per-isolate cache as the matcher's
 * (src/delivery/candidates.ts): one D1 statement per batch, whatever other tenants do. Each object
 * gets the same push snapshot the matcher gives (src/delivery/snapshot.ts), so a steady first push
 * reads nothing from D1. At most `budget` objects are called per run (the matcher's cap, src/delivery/carry-over.ts):
 * subscriptions in id order, the rest carried over to the next alarm run.
 */
import type { Env } from "../../env";
import type { CloudEvent } from "../cloudevent";
import { candidates, snapshotOf } from "../../delivery/candidates";
import { capHandovers } from "../../delivery/carry-over";
import { handOverPrev } from "../../delivery/matcher";
import { deliveryStub } from "../../delivery/stub";
import { logStub, partyLogName, partyOf } from "./stubs";
import { errorText } from "../../lib/errors";
import { mapLimited } from "../../lib/parallel";
import { matches } from "../../subscriptions/rules";

/** Hand-overs in flight at once (an invocation keeps at most 6 connections open; the rest wait). */
const PARALLEL_HANDOVERS = 6;

export interface LogItem {
  seq: number;
  /** The resource's previous event (0: none). */
  prev: number;
  /** When the resource's log stored it (a party's copy is no older). */
  storedAt: number;
  event: CloudEvent;
  /** Subscriptions up to this id already hold it (an earlier, capped run); 0: none yet. */
  after: number;
}

export interface HandOver {
  /** Every hand-over of this run succeeded. */
  ok: boolean;
  /** Set when the run was capped: subscriptions up to this id now hold the items; the rest are due. */
  after: number | null;
}

/**
 * Hands the items (one resource's, in position order) to at most `budget` subscription objects,
 * each with the events it matches and a snapshot of its push target.
 */
export async function handOverToSubscriptions(
  env: Env,
  resource: string,
  items: LogItem[],
  budget: number,
): Promise<HandOver> {
  if (!items.length) return { ok: true, after: null };
  const { at, byResource } = await candidates(env, [resource]);
  const found = byResource.get(resource)!;
  const bySeq = new Map(items.map((i) => [i.seq, i]));
  const work = found.subs
    .map((sub) => ({ sub, mine: items.filter((i) => sub.id > i.after && matches(sub, i.event)) }))
    .filter((w) => w.mine.length);
  const capped = capHandovers(work, Math.max(1, budget));
  const ok = await mapLimited(capped.now, PARALLEL_HANDOVERS, async ({ sub, mine }) => {
    try {
      const prev = handOverPrev(mine[0]!, bySeq, (event) => matches(sub, event));
      await deliveryStub(env, sub.id).enqueue(
        mine.map((i, n) => ({ seq: i.seq, event: i.event, ...(n === 0 && prev !== undefined ? { prev } : {}) })),
        snapshotOf(sub, found, at),
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
  return { ok: ok.every(Boolean), after: capped.after };
}

/**
 * Makes sure every app event about a party is in that party's log (`/app/party`). Publish writes the
 * copy before it answers; the outbox repeats it (idempotent on (source, id)) so a publish cut off
 * between the append and the copy still reaches the party. Throws when a copy fails (retried).
 * Returns the object calls made.
 */
export async function copyToParties(env: Env, items: LogItem[]): Promise<number> {
  const now = Date.now();
  let calls = 0;
  for (const item of items) {
    const party = partyOf(item.event);
    if (!party) continue;
    await logStub(env, partyLogName(party)).index(party, item.event, now, item.storedAt);
    calls++;
  }
  return calls;
}
