import { findOrganizations, findOrgUsersForResource, findPersons } from "../contacts/lookup";
import type { Env } from "../env";
import type { OrderRecipient } from "./model";
import { lookupKeys, type Contacts } from "./resolve";

/** Everything the contact register knows about these recipients (only the look-ups they need). */
export async function loadContacts(
  env: Env,
  recipients: OrderRecipient[],
  resourceId: string | null,
): Promise<Contacts> {
  const { nins, orgNos } = lookupKeys(recipients);
  const [persons, organizations, orgUsers] = await Promise.all([
    nins.length ? findPersons(env, nins) : new Map(),
    orgNos.length ? findOrganizations(env, orgNos) : new Map(),
    orgNos.length && resourceId ? findOrgUsersForResource(env, orgNos, resourceId) : [],
  ]);
  return { persons, organizations, orgUsers };
}
