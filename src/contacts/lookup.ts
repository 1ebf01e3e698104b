/**
 * Contact register look-ups used by order processing (SPEC §5.3). Implemented by the contacts
 * capability; signatures are the contract between contacts and notifications.
 */
import type { Env } from "../env";

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
  void env;
  void nins;
  throw new Error("contacts: findPersons not implemented yet");
}

/** Organisations' official notification addresses; unknown numbers are absent from the map. */
export async function findOrganizations(env: Env, orgNos: string[]): Promise<Map<string, OrganizationContact>> {
  void env;
  void orgNos;
  throw new Error("contacts: findOrganizations not implemented yet");
}

/**
 * Users who registered a contact address for one of these organisations, opted in to the
 * resource (`resourceId` in either form an order accepts: `urn:altinn:resource:x` or `app_{org}_{app}`),
 * and have `read` on it in the resource registry.
 */
export async function findOrgUsersForResource(env: Env, orgNos: string[], resourceId: string): Promise<OrgUserContact[]> {
  void env;
  void orgNos;
  void resourceId;
  throw new Error("contacts: findOrgUsersForResource not implemented yet");
}
