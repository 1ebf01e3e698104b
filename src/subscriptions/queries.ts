import { and, asc, eq, inArray, isNull, sql, type Column, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Env } from "../env";
import { subscriptionGeneration, subscriptions, type SubscriptionRow } from "./table";

export type NewSubscription = Omit<SubscriptionRow, "id" | "validated" | "disabled" | "disabledReason">;

const db = (env: Env) => drizzle(env.DB);

const bumpGeneration = (env: Env) => db(env).update(subscriptionGeneration).set({ gen: sql`${subscriptionGeneration.gen} + 1` }).where(eq(subscriptionGeneration.id, 1));

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
  ).bind(s.endPoint, s.sourceFilter, s.resourceFilter, s.subjectFilter, s.alternativeSubjectFilter, s.typeFilter, s.consumer, s.consumerParty, s.createdBy, s.created, s.secret, limit);
  // In the same transaction, the generation moves only when a row was inserted (changes() of the insert).
  const bump = env.DB.prepare("UPDATE subscription_generation SET gen = gen + 1 WHERE id = 1 AND changes() > 0");
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
  return db(env).select().from(subscriptions).where(eq(subscriptions.consumer, consumer)).orderBy(asc(subscriptions.id));
}

export async function deleteSubscription(env: Env, id: number): Promise<void> {
  await db(env).batch([db(env).delete(subscriptions).where(eq(subscriptions.id, id)), bumpGeneration(env)]);
}

export async function markValidated(env: Env, id: number): Promise<void> {
  await db(env).update(subscriptions).set({ validated: true }).where(eq(subscriptions.id, id));
}

export async function markDisabled(env: Env, id: number, reason: string): Promise<void> {
  await db(env).batch([db(env).update(subscriptions).set({ disabled: true, disabledReason: reason }).where(eq(subscriptions.id, id)), bumpGeneration(env)]);
}

export async function generation(env: Env): Promise<number> {
  const rows = await db(env).select({ gen: subscriptionGeneration.gen }).from(subscriptionGeneration).where(eq(subscriptionGeneration.id, 1));
  return rows[0]?.gen ?? 0;
}

/** Candidate subscriptions for events of these resources, through the resource index. */
export async function subscriptionsForResources(env: Env, resources: string[]): Promise<SubscriptionRow[]> {
  const out: SubscriptionRow[] = [];
  for (let i = 0; i < resources.length; i += 50) {
    const chunk = resources.slice(i, i + 50);
    out.push(...(await db(env).select().from(subscriptions).where(and(inArray(subscriptions.resourceFilter, chunk), eq(subscriptions.disabled, false)))));
  }
  return out;
}

/** The newest event position, so a subscription validated now skips everything published before. */
export async function latestEventSeq(env: Env): Promise<number> {
  const row = await env.DB.prepare("SELECT COALESCE(MAX(seq), 0) AS seq FROM events").first<{ seq: number }>();
  return row?.seq ?? 0;
}
