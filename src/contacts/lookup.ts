/**
 * Contact register look-ups used by order processing (SPEC §5.3). Implemented by the contacts
 * capability; signatures are the contract between contacts and notifications.
 */
import type { Env } from "../env";
import { loadResource } from "../resources/queries";
import { mayRead } from "./policy";
import { selectOptedInUsers, selectOrganizations, selectPersons } from "./queries";
import { normalizeResourceId } from "./resource-id";

export interface PersonContact {
  nin: string;
  name: string;
  email: string | null;
  reserved: boolean;
}

export interface OrganizationContact {
  orgNo: string;
  name: string;
  emails: string[];
}

export interface OrgUserContact {
  orgNo: string;
  userId: string;
  email: string;
}

/** Persons by national identity number; unknown numbers are absent from the map. */
export async function findPersons(env: Env, nins: string[]): Promise<Map<string, PersonContact>> {
  const rows = await selectPersons(env, nins);
  return new Map(rows.map((r) => [r.nin, { nin: r.nin, name: r.name, email: r.email, reserved: r.reserved === 1 }]));
}

/** Organisations' official notification addresses; unknown numbers are absent from the map. */
export async function findOrganizations(env: Env, orgNos: string[]): Promise<Map<string, OrganizationContact>> {
  const rows = await selectOrganizations(env, orgNos);
  return new Map(
    rows.map((r) => [r.org_no, { orgNo: r.org_no, name: r.name, emails: JSON.parse(r.emails) as string[] }]),
  );
}

/**
 * Users who registered a contact address for one of these organisations, opted in to the
 * resource (`resourceId` in either form an order accepts: `urn:altinn:resource:x` or `app_{org}_{app}`),
 * and have `read` on it in the resource registry.
 */
export async function findOrgUsersForResource(
  env: Env,
  orgNos: string[],
  resourceId: string,
): Promise<OrgUserContact[]> {
  const id = normalizeResourceId(resourceId);
  if (!id || orgNos.length === 0) return [];
  const resource = await loadResource(env, id);
  if (!resource) return [];
  const users = await selectOptedInUsers(env, orgNos, id);
  return users
    .filter((u) => mayRead(resource, u.user_id))
    .map((u) => ({ orgNo: u.org_no, userId: u.user_id, email: u.email }));
}
