/**
 * Contact register storage. Bulk writes and look-ups pass their rows as ONE JSON parameter and
 * unpack it with SQLite's json_each, so a statement never comes near D1's 100 bound parameters;
 * rows are chunked to keep each JSON value well under D1's 2 MB value limit.
 */
import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Env } from "../env";
import { chunkRows } from "./ndjson";
import type { OrganizationRecord, OrgUserRecord, PersonRecord } from "./schemas";
import { contactOrganizations, contactOrgUserResources, contactOrgUsers, contactPersons } from "./table";

const ROWS_PER_STATEMENT = 500;
const BYTES_PER_STATEMENT = 512 * 1024;
/** Statements per D1 batch (each batch is one transaction). */
const STATEMENTS_PER_BATCH = 50;

/** Runs the statements in batches of STATEMENTS_PER_BATCH, in order; the results of all of them. */
async function runBatches<R = unknown>(env: Env, statements: D1PreparedStatement[]): Promise<D1Result<R>[]> {
  const out: D1Result<R>[] = [];
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH)
    out.push(...(await env.DB.batch<R>(statements.slice(i, i + STATEMENTS_PER_BATCH))));
  return out;
}

function jsonStatements<T>(env: Env, sql: string, rows: T[]): D1PreparedStatement[] {
  return chunkRows(rows, ROWS_PER_STATEMENT, BYTES_PER_STATEMENT).map((chunk) =>
    env.DB.prepare(sql).bind(JSON.stringify(chunk)),
  );
}

const UPSERT_PERSONS = `INSERT INTO contact_persons (nin, name, email, mobile, reserved, updated_at)
  SELECT value->>'nin', value->>'name', value->>'email', value->>'mobile', value->>'reserved', value->>'at' FROM json_each(?1) WHERE true
  ON CONFLICT (nin) DO UPDATE SET name = excluded.name, email = excluded.email, mobile = excluded.mobile, reserved = excluded.reserved, updated_at = excluded.updated_at`;

export async function storePersons(env: Env, records: PersonRecord[], now: Date): Promise<void> {
  const at = now.toISOString();
  const rows = records.map((r) => ({
    nin: r.nin,
    name: r.name,
    email: r.email,
    mobile: r.mobile,
    reserved: r.reserved ? 1 : 0,
    at,
  }));
  await runBatches(env, jsonStatements(env, UPSERT_PERSONS, rows));
}

const UPSERT_ORGS = `INSERT INTO contact_organizations (org_no, name, emails, mobiles, updated_at)
  SELECT value->>'orgNo', value->>'name', value->>'emails', value->>'mobiles', value->>'at' FROM json_each(?1) WHERE true
  ON CONFLICT (org_no) DO UPDATE SET name = excluded.name, emails = excluded.emails, mobiles = excluded.mobiles, updated_at = excluded.updated_at`;

export async function storeOrganizations(env: Env, records: OrganizationRecord[], now: Date): Promise<void> {
  const at = now.toISOString();
  const rows = records.map((r) => ({
    orgNo: r.orgNo,
    name: r.name,
    emails: JSON.stringify(r.emails),
    mobiles: JSON.stringify(r.mobiles),
    at,
  }));
  await runBatches(env, jsonStatements(env, UPSERT_ORGS, rows));
}

const UPSERT_USERS = `INSERT INTO contact_org_users (org_no, user_id, email, mobile, updated_at)
  SELECT value->>'o', value->>'u', value->>'email', value->>'mobile', value->>'at' FROM json_each(?1) WHERE true
  ON CONFLICT (org_no, user_id) DO UPDATE SET email = excluded.email, mobile = excluded.mobile, updated_at = excluded.updated_at`;
const CLEAR_OPT_INS = `DELETE FROM contact_org_user_resources
  WHERE (org_no, user_id) IN (SELECT value->>'o', value->>'u' FROM json_each(?1))`;
const INSERT_OPT_INS = `INSERT INTO contact_org_user_resources (org_no, user_id, resource_id)
  SELECT value->>'o', value->>'u', value->>'r' FROM json_each(?1) WHERE true
  ON CONFLICT DO NOTHING`;

/** Opt-in rows per transaction: a group of users is written whole in one D1 batch (a user has at most 200). */
const OPT_INS_PER_BATCH = 10_000;

/**
 * Upserts users and replaces their opt-ins (a PUT replaces the whole record). Users go in groups; each
 * group's upsert, clear and insert is ONE D1 batch (one transaction), so a failure leaves every user
 * with either the old opt-ins or the new ones, never none or part.
 */
export async function storeOrgUsers(env: Env, records: OrgUserRecord[], now: Date): Promise<void> {
  const at = now.toISOString();
  const groups: OrgUserRecord[][] = [];
  let group: OrgUserRecord[] = [];
  let optIns = 0;
  for (const r of records) {
    if (group.length && (optIns + r.resources.length > OPT_INS_PER_BATCH || group.length >= ROWS_PER_STATEMENT)) {
      groups.push(group);
      group = [];
      optIns = 0;
    }
    group.push(r);
    optIns += r.resources.length;
  }
  if (group.length) groups.push(group);
  for (const g of groups) {
    const users = g.map((r) => ({ o: r.orgNo, u: r.userId, email: r.email, mobile: r.mobile, at }));
    const keys = g.map((r) => ({ o: r.orgNo, u: r.userId }));
    const rows = g.flatMap((r) => r.resources.map((id) => ({ o: r.orgNo, u: r.userId, r: id })));
    await env.DB.batch([
      ...jsonStatements(env, UPSERT_USERS, users),
      ...jsonStatements(env, CLEAR_OPT_INS, keys),
      ...jsonStatements(env, INSERT_OPT_INS, rows),
    ]);
  }
}

export async function getPerson(env: Env, nin: string): Promise<PersonRecord | null> {
  const [row] = await drizzle(env.DB).select().from(contactPersons).where(eq(contactPersons.nin, nin)).limit(1);
  return row ? { nin: row.nin, name: row.name, email: row.email, mobile: row.mobile, reserved: row.reserved } : null;
}

export async function getOrganization(env: Env, orgNo: string): Promise<OrganizationRecord | null> {
  const [row] = await drizzle(env.DB)
    .select()
    .from(contactOrganizations)
    .where(eq(contactOrganizations.orgNo, orgNo))
    .limit(1);
  return row
    ? {
        orgNo: row.orgNo,
        name: row.name,
        emails: JSON.parse(row.emails) as string[],
        mobiles: JSON.parse(row.mobiles) as string[],
      }
    : null;
}

export async function getOrgUser(env: Env, orgNo: string, userId: string): Promise<OrgUserRecord | null> {
  const db = drizzle(env.DB);
  const [row] = await db
    .select()
    .from(contactOrgUsers)
    .where(and(eq(contactOrgUsers.orgNo, orgNo), eq(contactOrgUsers.userId, userId)))
    .limit(1);
  if (!row) return null;
  const optIns = await db
    .select({ resourceId: contactOrgUserResources.resourceId })
    .from(contactOrgUserResources)
    .where(and(eq(contactOrgUserResources.orgNo, orgNo), eq(contactOrgUserResources.userId, userId)))
    .orderBy(contactOrgUserResources.resourceId);
  return {
    orgNo: row.orgNo,
    userId: row.userId,
    email: row.email,
    mobile: row.mobile,
    resources: optIns.map((o) => o.resourceId),
  };
}

export async function deletePerson(env: Env, nin: string): Promise<boolean> {
  return (
    (
      await drizzle(env.DB)
        .delete(contactPersons)
        .where(eq(contactPersons.nin, nin))
        .returning({ nin: contactPersons.nin })
    ).length > 0
  );
}

export async function deleteOrganization(env: Env, orgNo: string): Promise<boolean> {
  return (
    (
      await drizzle(env.DB)
        .delete(contactOrganizations)
        .where(eq(contactOrganizations.orgNo, orgNo))
        .returning({ orgNo: contactOrganizations.orgNo })
    ).length > 0
  );
}

export async function deleteOrgUser(env: Env, orgNo: string, userId: string): Promise<boolean> {
  const [users] = await env.DB.batch<{ user_id: string }>([
    env.DB.prepare("DELETE FROM contact_org_users WHERE org_no = ?1 AND user_id = ?2 RETURNING user_id").bind(
      orgNo,
      userId,
    ),
    env.DB.prepare("DELETE FROM contact_org_user_resources WHERE org_no = ?1 AND user_id = ?2").bind(orgNo, userId),
  ]);
  return (users?.results.length ?? 0) > 0;
}

// ---- look-ups for order processing (keys chunked the same way, one JSON parameter each) ----

const KEYS_PER_STATEMENT = 1000;

async function selectByKeys<R>(env: Env, sql: string, keys: string[], extra: unknown[] = []): Promise<R[]> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return [];
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < unique.length; i += KEYS_PER_STATEMENT)
    statements.push(env.DB.prepare(sql).bind(JSON.stringify(unique.slice(i, i + KEYS_PER_STATEMENT)), ...extra));
  return (await runBatches<R>(env, statements)).flatMap((res) => res.results);
}

export function selectPersons(env: Env, nins: string[]) {
  return selectByKeys<{ nin: string; name: string; email: string | null; reserved: number }>(
    env,
    "SELECT nin, name, email, reserved FROM contact_persons WHERE nin IN (SELECT value FROM json_each(?1))",
    nins,
  );
}

export function selectOrganizations(env: Env, orgNos: string[]) {
  return selectByKeys<{ org_no: string; name: string; emails: string }>(
    env,
    "SELECT org_no, name, emails FROM contact_organizations WHERE org_no IN (SELECT value FROM json_each(?1))",
    orgNos,
  );
}

/** Users of these organisations who opted in to the resource (bare id), in a stable order. */
export function selectOptedInUsers(env: Env, orgNos: string[], resourceId: string) {
  return selectByKeys<{ org_no: string; user_id: string; email: string }>(
    env,
    `SELECT u.org_no, u.user_id, u.email FROM contact_org_user_resources r
       JOIN contact_org_users u ON u.org_no = r.org_no AND u.user_id = r.user_id
      WHERE r.resource_id = ?2 AND r.org_no IN (SELECT value FROM json_each(?1))
      ORDER BY u.org_no, u.user_id`,
    orgNos,
    [resourceId],
  );
}
