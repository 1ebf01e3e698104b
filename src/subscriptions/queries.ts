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

export async function insertSubscription(env: Env, s: NewSubscription): Promise<SubscriptionRow> {
  const [rows] = await db(env).batch([
    db(env).insert(subscriptions).values({ ...s, validated: false, disabled: false }).returning(),
    bumpGeneration(env),
  ]);
  return rows[0]!;
}

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
