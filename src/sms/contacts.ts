/** Contact register look-ups for SMS (SPEC §5.3): persons' mobiles, organisations' and opted-in users' mobiles. */
import { mayRead } from "../contacts/policy";
import { normalizeResourceId } from "../contacts/resource-id";
import type { Env } from "../env";
import { loadResource } from "../resources/queries";
import { smsLookupKeys, type SmsContacts, type SmsOrgUser } from "./resolve";
import type { SmsRecipient } from "./schemas";

const KEYS_PER_STATEMENT = 1000;

async function byKeys<R>(env: Env, sql: string, keys: string[], extra: unknown[] = []): Promise<R[]> {
  if (!keys.length) return [];
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT)
    statements.push(env.DB.prepare(sql).bind(JSON.stringify(keys.slice(i, i + KEYS_PER_STATEMENT)), ...extra));
  return (await env.DB.batch<R>(statements)).flatMap((r) => r.results);
}

async function orgUsers(env: Env, orgNos: string[], resourceId: string): Promise<SmsOrgUser[]> {
  const id = normalizeResourceId(resourceId);
  if (!id || !orgNos.length) return [];
  const resource = await loadResource(env, id);
  if (!resource) return [];
  const rows = await byKeys<{ org_no: string; user_id: string; mobile: string }>(
    env,
    `SELECT u.org_no, u.user_id, u.mobile FROM contact_org_user_resources r
       JOIN contact_org_users u ON u.org_no = r.org_no AND u.user_id = r.user_id
      WHERE r.resource_id = ?2 AND r.org_no IN (SELECT value FROM json_each(?1)) AND u.mobile IS NOT NULL
      ORDER BY u.org_no, u.user_id`,
    orgNos,
    [id],
  );
  return rows
    .filter((u) => mayRead(resource, u.user_id))
    .map((u) => ({ orgNo: u.org_no, userId: u.user_id, mobile: u.mobile }));
}

/** Everything the contact register knows for these SMS recipients (only the look-ups they need). */
export async function loadSmsContacts(
  env: Env,
  recipients: SmsRecipient[],
  resourceId: string | null,
): Promise<SmsContacts> {
  const { nins, orgNos } = smsLookupKeys(recipients);
  const [persons, orgs, users] = await Promise.all([
    byKeys<{ nin: string; name: string; mobile: string | null; reserved: number }>(
      env,
      "SELECT nin, name, mobile, reserved FROM contact_persons WHERE nin IN (SELECT value FROM json_each(?1))",
      nins,
    ),
    byKeys<{ org_no: string; name: string; mobiles: string }>(
      env,
      "SELECT org_no, name, mobiles FROM contact_organizations WHERE org_no IN (SELECT value FROM json_each(?1))",
      orgNos,
    ),
    resourceId ? orgUsers(env, orgNos, resourceId) : Promise.resolve([]),
  ]);
  return {
    persons: new Map(persons.map((p) => [p.nin, { name: p.name, mobile: p.mobile, reserved: p.reserved === 1 }])),
    organizations: new Map(orgs.map((o) => [o.org_no, { name: o.name, mobiles: JSON.parse(o.mobiles) as string[] }])),
    orgUsers: users,
  };
}
