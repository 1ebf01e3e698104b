import { expect } from "vitest";

/**
 * EXPLAIN QUERY PLAN inside workerd's SQLite (D1 or a Durable Object's storage). Each row's `detail`
 * is one step, e.g. `SEARCH events USING INDEX events_resource_seq (resource=? AND seq>?)`.
 */
export async function queryPlan(db: D1Database, sql: string, ...binds: unknown[]): Promise<string[]> {
  const { results } = await db
    .prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...binds)
    .all<{ detail: string }>();
  return results.map((r) => r.detail);
}

/** The same for a Durable Object's `ctx.storage.sql` (call it inside `runInDurableObject`). */
export function queryPlanSql(sql: SqlStorage, query: string, ...binds: unknown[]): string[] {
  return [...sql.exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...binds)].map((r) => r.detail);
}

/**
 * A hot query reads through an index: no full `SCAN` of a table (a `SCAN` of a covering index or of a
 * `json_each` value list is fine) and no `TEMP B-TREE` sort. `allowScan` names small tables that may be
 * scanned on purpose.
 */
export function expectIndexed(plan: string[], allowScan: string[] = []): void {
  const bad = plan.filter((step) => {
    if (/TEMP B-TREE/.test(step)) return true;
    const scan = /^SCAN (\S+)/.exec(step);
    if (!scan) return false;
    if (/USING (COVERING )?INDEX/.test(step)) return false;
    const table = scan[1] as string;
    return !table.startsWith("json_each") && !allowScan.includes(table);
  });
  expect(bad, `query plan:\n${plan.join("\n")}`).toEqual([]);
}
