/**
 * A resource's subscriptions and policy, cached per isolate and confirmed by one generation read per
 * batch (issue 7 point 7): a change to one resource's subscriptions or policy bumps that resource's
 * generation only, so other tenants' entries stay cached. Shared by both hand-over paths, the events
 * queue's matcher (src/delivery/matcher.ts, the D1 log) and the partitioned log's alarm
 * (src/events/log/handover.ts), so each hands every object the same push snapshot.
 */
import type { Env } from "../env";
import { resourceIdOf, type Resource } from "../resources/policy";
import { loadResources } from "../resources/queries";
import { resourceGenerations, subscriptionsForResources } from "../subscriptions/queries";
import type { SubscriptionRow } from "../subscriptions/table";
import { targetOf, type PushSnapshot } from "./snapshot";

/** Resources kept in the per-isolate cache; beyond this it starts over. */
const CACHE_RESOURCES = 10_000;

export interface Candidates {
  gen: number;
  subs: SubscriptionRow[];
  /** The resource's policy as read with the subscriptions (null: no such resource). */
  policy: Resource | null;
}

/** Exported for tests only: the per-isolate cache, by resource. */
export const candidateCache = new Map<string, Candidates>();
/** Resources whose candidates were (re)loaded from D1, by resource: lets tests see what a change invalidated. */
export const candidateLoads = new Map<string, number>();

/**
 * Each resource's candidates and policy, valid as of `at`: taken before the generation read, which
 * confirms every cached entry (a change after `at` shows in the next batch's read).
 */
export async function candidates(
  env: Env,
  resources: string[],
): Promise<{ at: number; byResource: Map<string, Candidates> }> {
  const at = Date.now();
  const gens = await resourceGenerations(env, resources);
  let stale = resources.filter((r) => candidateCache.get(r)?.gen !== (gens.get(r) ?? 0));
  if (stale.length) {
    if (candidateCache.size + stale.length > CACHE_RESOURCES) {
      // Starting over drops this batch's cached resources too: they are loaded again with the rest.
      candidateCache.clear();
      stale = resources;
    }
    const fresh = new Map(stale.map((r) => [r, [] as SubscriptionRow[]]));
    for (const sub of await subscriptionsForResources(env, stale)) fresh.get(sub.resourceFilter)?.push(sub);
    const policies = await loadResources(
      env,
      stale.map((r) => resourceIdOf(r) ?? ""),
    );
    for (const [r, subs] of fresh) {
      candidateCache.set(r, { gen: gens.get(r) ?? 0, subs, policy: policies.get(resourceIdOf(r) ?? "") ?? null });
      candidateLoads.set(r, (candidateLoads.get(r) ?? 0) + 1);
    }
  }
  const none: Candidates = { gen: 0, subs: [], policy: null };
  return { at, byResource: new Map(resources.map((r) => [r, candidateCache.get(r) ?? none])) };
}

/** The snapshot handed to a subscription's object with its events (src/delivery/snapshot.ts). */
export function snapshotOf(sub: SubscriptionRow, found: Candidates, at: number): PushSnapshot {
  return { ...targetOf(sub, found.policy), at, gen: found.gen };
}
