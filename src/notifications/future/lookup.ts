/**
 * What the contact register knows about one looked-up recipient of a shipment (a person or an
 * organisation), as contact-point groups for the channel rules (channels.ts). Reuses the e-mail and
 * the SMS look-ups.
 */
import type { Env } from "../../env";
import { registryNumber } from "../../sms/phone";
import { loadSmsContacts } from "../../sms/contacts";
import { loadContacts } from "../contacts";
import type { ContactPoints } from "./channels";

export interface KnownRecipient {
  name: string;
  /** A person reserved against electronic communication. */
  reserved: boolean;
  groups: ContactPoints[];
}

const mobiles = (list: (string | null | undefined)[]) =>
  list.map(registryNumber).filter((n): n is string => n !== null);

export async function lookUpPerson(env: Env, nin: string): Promise<KnownRecipient> {
  const r = [{ nationalIdentityNumber: nin }];
  const [mail, sms] = await Promise.all([loadContacts(env, r, null), loadSmsContacts(env, r, null)]);
  const p = mail.persons.get(nin);
  const s = sms.persons.get(nin);
  return {
    name: p?.name ?? s?.name ?? "",
    reserved: p?.reserved ?? s?.reserved ?? false,
    groups: [{ emails: p?.email ? [p.email] : [], mobiles: mobiles([s?.mobile]) }],
  };
}

/**
 * An organisation's official contact points, and with `resourceId` (`withUsers`) one group per user
 * who opted in to it and may read it (reference §5.2: users are added at processing time only).
 */
export async function lookUpOrganization(
  env: Env,
  orgNo: string,
  resourceId: string | null,
  withUsers: boolean,
): Promise<KnownRecipient> {
  const r = [{ organizationNumber: orgNo }];
  const id = withUsers ? resourceId : null;
  const [mail, sms] = await Promise.all([loadContacts(env, r, id), loadSmsContacts(env, r, id)]);
  const org = mail.organizations.get(orgNo);
  const groups: ContactPoints[] = [
    { emails: org?.emails ?? [], mobiles: mobiles(sms.organizations.get(orgNo)?.mobiles ?? []) },
  ];
  const users = new Map<string, ContactPoints>();
  const user = (id: string) => users.get(id) ?? users.set(id, { emails: [], mobiles: [] }).get(id)!;
  for (const u of mail.orgUsers) if (u.email) user(u.userId).emails.push(u.email);
  for (const u of sms.orgUsers) user(u.userId).mobiles.push(...mobiles([u.mobile]));
  return {
    name: org?.name ?? sms.organizations.get(orgNo)?.name ?? "",
    reserved: false,
    groups: [...groups, ...users.values()],
  };
}
