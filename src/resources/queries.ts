import { eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Env } from "../env";
import { bumpResourceGeneration } from "../subscriptions/queries";
import { effectiveResource, RESOURCE_PREFIX, type Grant, type Resource } from "./policy";
import { resources } from "./table";

function toResource(row: typeof resources.$inferSelect): Resource {
  return { id: row.id, owner: row.owner, title: row.title, grants: JSON.parse(row.grants) as Grant[] };
}

export async function getStoredResource(env: Env, id: string): Promise<Resource | null> {
  const rows = await drizzle(env.DB).select().from(resources).where(eq(resources.id, id)).limit(1);
  return rows[0] ? toResource(rows[0]) : null;
}

/** The resources as decisions see them, by id, for up to 50 ids (the matcher's snapshots). */
export async function loadResources(env: Env, ids: string[]): Promise<Map<string, Resource | null>> {
  const stored = new Map<string, Resource>();
  for (let i = 0; i < ids.length; i += 50) {
    const rows = await drizzle(env.DB)
      .select()
      .from(resources)
      .where(inArray(resources.id, ids.slice(i, i + 50)));
    for (const row of rows) stored.set(row.id, toResource(row));
  }
  return new Map(ids.map((id) => [id, effectiveResource(id, stored.get(id) ?? null)]));
}

/**
 * The resource as decisions see it. Read from D1 on every call, deliberately uncached, so an
 * admin change applies to the very next request and push (SPEC §3 allows up to 60 s; we use 0).
 */
export async function loadResource(env: Env, id: string): Promise<Resource | null> {
  return effectiveResource(id, await getStoredResource(env, id));
}

export async function putResource(env: Env, r: Resource, now: Date): Promise<void> {
  const row = {
    id: r.id,
    owner: r.owner,
    title: r.title,
    grants: JSON.stringify(r.grants),
    updatedAt: now.toISOString(),
  };
  // With the policy, in one transaction, the resource's generation moves: the matcher's next batch
  // reloads it, so no push snapshot made after this carries the old decision (src/delivery/snapshot.ts).
  await drizzle(env.DB).batch([
    drizzle(env.DB)
      .insert(resources)
      .values(row)
      .onConflictDoUpdate({
        target: resources.id,
        set: { owner: row.owner, title: row.title, grants: row.grants, updatedAt: row.updatedAt },
      }),
    bumpResourceGeneration(env, `${RESOURCE_PREFIX}${r.id}`),
  ]);
}

export async function deleteResource(env: Env, id: string): Promise<boolean> {
  const [res] = await drizzle(env.DB).batch([
    drizzle(env.DB).delete(resources).where(eq(resources.id, id)).returning({ id: resources.id }),
    bumpResourceGeneration(env, `${RESOURCE_PREFIX}${id}`),
  ]);
  return res.length > 0;
}
