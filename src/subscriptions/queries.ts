import { and, asc, eq, inArray, isNull, sql, type Column, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Env } from "../env";
import { subscriptionResourceGenerations, subscriptions, type SubscriptionRow } from "./table";

export type NewSubscription = Omit<SubscriptionRow, "id" | "validated" | "disabled" | "disabledReason">;

const db = (env: Env) => drizzle(env.DB);

/**
 * Bumps the matcher's cache generation of one resource (src/delivery/matcher.ts): on every change to
 * its subscriptions or its policy (src/resources/queries.ts), in the same batch as the change.
 */
export const bumpResourceGeneration = (env: Env, resource: string) =>
  db(env)
    .insert(subscriptionResourceGenerations)
    .values({ resource, gen: 1 })
    .onConflictDoUpdate({
      target: subscriptionResourceGenerations.resource,
      set: { gen: sql`${subscriptionResourceGenerations.gen} + 1` },
    });

async function resourceOf(env: Env, id: number): Promise<string> {
  const rows = await db(env)
    .select({ r: subscriptions.resourceFilter })
    .from(subscriptions)
    .where(eq(subscriptions.id, id))
    .limit(1);
  return rows[0]?.r ?? "";
}

function same(column: Column, value: string | null): SQL {
  return value === null ? isNull(column) : eq(column, value);
}

/** The consumer's subscription with exactly these settings, if any (an identical re-post). */
export async function findIdentical(env: Env, s: NewSubscription): Promise<SubscriptionRow | null> {
  const rows = await db(env)
    .select()
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.consumer, s.consumer),
        eq(subscriptions.endPoint, s.endPoint),
        eq(subscriptions.resourceFilter, s.resourceFilter),
        same(subscriptions.sourceFilter, s.sourceFilter),
        same(subscriptions.subjectFilter, s.subjectFilter),
        same(subscriptions.alternativeSubjectFilter, s.alternativeSubjectFilter),
        same(subscriptions.typeFilter, s.typeFilter),
      ),
    )
    .limit(1);
  return rows[0] ?? null;
}

/**
 * Stores the subscription unless its consumer already holds `limit` (SPEC §4.4): null then. The count
 * and the insert are one statement, and D1 runs statements one at a time, so concurrent creations by
 * one consumer never pass the limit together.
 */
export async function insertSubscription(env: Env, s: NewSubscription, limit: number): Promise<SubscriptionRow | null> {
  const insert = env.DB.prepare(
    `INSERT INTO subscriptions (end_point, source_filter, resource_filter, subject_filter, alternative_subject_filter, type_filter,
       consumer, consumer_party, created_by, created, validated, disabled, secret)
     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, 0, ?11
     WHERE (SELECT COUNT(*) FROM subscriptions WHERE consumer = ?7) < ?12
     RETURNING id`,
  ).bind(
    s.endPoint,
    s.sourceFilter,
    s.resourceFilter,
    s.subjectFilter,
    s.alternativeSubjectFilter,
    s.typeFilter,
    s.consumer,
    s.consumerParty,
    s.createdBy,
    s.created,
    s.secret,
    limit,
  );
  // In the same transaction, the resource's matcher generation moves only when a row was inserted
  // (changes() of the insert), so a refused creation flushes no cache.
  const bump = env.DB.prepare(
    `INSERT INTO subscription_resource_generations (resource, gen) SELECT ?1, 1 WHERE changes() > 0
     ON CONFLICT (resource) DO UPDATE SET gen = gen + 1`,
  ).bind(s.resourceFilter);
  const [inserted] = await env.DB.batch<{ id: number }>([insert, bump]);
  const id = inserted?.results[0]?.id;
  return id === undefined ? null : getSubscription(env, id);
}

/** How many subscriptions a consumer holds (through the consumer index). */
export const COUNT_BY_CONSUMER = "SELECT COUNT(*) FROM subscriptions WHERE consumer = ?1";

export async function getSubscription(env: Env, id: number): Promise<SubscriptionRow | null> {
  const rows = await db(env).select().from(subscriptions).where(eq(subscriptions.id, id)).limit(1);
  return rows[0] ?? null;
}

export async function listSubscriptions(env: Env, consumer: string): Promise<SubscriptionRow[]> {
  return db(env)
    .select()
    .from(subscriptions)
    .where(eq(subscriptions.consumer, consumer))
    .orderBy(asc(subscriptions.id));
}

export async function deleteSubscription(env: Env, id: number): Promise<void> {
  await db(env).batch([
    bumpResourceGeneration(env, await resourceOf(env, id)),
    db(env).delete(subscriptions).where(eq(subscriptions.id, id)),
  ]);
}

export async function markValidated(env: Env, id: number): Promise<void> {
  await db(env).update(subscriptions).set({ validated: true }).where(eq(subscriptions.id, id));
}

export async function markDisabled(env: Env, id: number, reason: string): Promise<void> {
  await db(env).batch([
    db(env).update(subscriptions).set({ disabled: true, disabledReason: reason }).where(eq(subscriptions.id, id)),
    bumpResourceGeneration(env, await resourceOf(env, id)),
  ]);
}

export const RESOURCE_GENERATIONS_SQL =
  "SELECT resource, gen FROM subscription_resource_generations WHERE resource IN (SELECT value FROM json_each(?))";

/** The matcher's cache generation of each resource (absent: 0). */
export async function resourceGenerations(env: Env, resources: string[]): Promise<Map<string, number>> {
  if (!resources.length) return new Map();
  const { results } = await env.DB.prepare(RESOURCE_GENERATIONS_SQL)
    .bind(JSON.stringify(resources))
    .all<{ resource: string; gen: number }>();
  return new Map(results.map((r) => [r.resource, r.gen]));
}

/** The matcher's candidate read for up to 50 resources (exported for its query-plan test). */
export const candidatesQuery = (env: Env, resources: string[]) =>
  db(env)
    .select()
    .from(subscriptions)
    .where(and(inArray(subscriptions.resourceFilter, resources), eq(subscriptions.disabled, false)));

/** Candidate subscriptions for events of these resources, through the resource index. */
export async function subscriptionsForResources(env: Env, resources: string[]): Promise<SubscriptionRow[]> {
  const out: SubscriptionRow[] = [];
  for (let i = 0; i < resources.length; i += 50) {
    const chunk = resources.slice(i, i + 50);
    out.push(...(await candidatesQuery(env, chunk)));
  }
  return out;
}

/** The newest event position, so a subscription validated now skips everything published before. */
export async function latestEventSeq(env: Env): Promise<number> {
  const row = await env.DB.prepare("SELECT COALESCE(MAX(seq), 0) AS seq FROM events").first<{ seq: number }>();
  return row?.seq ?? 0;
}
