/**
 * SMS recipient resolution (SPEC §5.3/§5.4), pure: given the ordered recipients and what the contact
 * register knows, the SMS to make, and the order-time look-up summary. A reserved person's number is
 * never carried onto a notification.
 */
import type { RecipientLookup } from "../notifications/resolve";
import { e164, registryNumber } from "./phone";
import type { SmsRecipient } from "./schemas";

export interface SmsPerson {
  name: string;
  mobile: string | null;
  reserved: boolean;
}
export interface SmsOrganization {
  name: string;
  mobiles: string[];
}
export interface SmsOrgUser {
  orgNo: string;
  userId: string;
  mobile: string;
}
export interface SmsContacts {
  persons: Map<string, SmsPerson>;
  organizations: Map<string, SmsOrganization>;
  /** Users reached through an organisation for the order's resource (empty without a resourceId). */
  orgUsers: SmsOrgUser[];
}

export interface SmsDraft {
  /** Unique per order: the number in E.164, or `nin:`/`org:` plus the number for a failed look-up. */
  dedupKey: string;
  mobileNumber: string | null;
  organizationNumber: string | null;
  nationalIdentityNumber: string | null;
  recipientName: string;
  recipientNumber: string;
  status: "New" | "Failed_RecipientReserved" | "Failed_RecipientNotIdentified";
  /** A reserved person sent to because the order ignores reservations: the number is never shown and is scrubbed once final. */
  isReserved?: boolean;
}

const numberKey = (n: string) => e164(n) ?? n.replace(/\s+/g, "");

function personMobile(p: SmsPerson | undefined): string | null {
  return p ? registryNumber(p.mobile) : null;
}

function orgNumbers(orgNo: string, contacts: SmsContacts): string[] {
  const raw = [
    ...(contacts.organizations.get(orgNo)?.mobiles ?? []),
    ...contacts.orgUsers.filter((u) => u.orgNo === orgNo).map((u) => u.mobile),
  ];
  return raw.map(registryNumber).filter((n): n is string => n !== null);
}

/** Every SMS the recipients resolve to, de-duplicated by number (first occurrence wins). */
export function resolveSmsRecipients(
  recipients: SmsRecipient[],
  contacts: SmsContacts,
  ignoreReservation: boolean,
): SmsDraft[] {
  const out: SmsDraft[] = [];
  const seen = new Set<string>();
  const push = (d: SmsDraft) => {
    if (seen.has(d.dedupKey)) return;
    seen.add(d.dedupKey);
    out.push(d);
  };
  const none = { organizationNumber: null, nationalIdentityNumber: null, recipientName: "", recipientNumber: "" };
  for (const r of recipients) {
    if ("mobileNumber" in r) {
      push({ ...none, dedupKey: numberKey(r.mobileNumber), mobileNumber: r.mobileNumber, status: "New" });
    } else if ("nationalIdentityNumber" in r) {
      const nin = r.nationalIdentityNumber;
      const p = contacts.persons.get(nin);
      const base = { ...none, nationalIdentityNumber: nin, recipientName: p?.name ?? "" };
      const mobile = personMobile(p);
      if (p?.reserved && !ignoreReservation)
        push({ ...base, dedupKey: `nin:${nin}`, mobileNumber: null, status: "Failed_RecipientReserved" });
      else if (!mobile)
        push({ ...base, dedupKey: `nin:${nin}`, mobileNumber: null, status: "Failed_RecipientNotIdentified" });
      else
        push({
          ...base,
          dedupKey: numberKey(mobile),
          mobileNumber: mobile,
          status: "New",
          ...(p?.reserved ? { isReserved: true } : {}),
        });
    } else {
      const orgNo = r.organizationNumber;
      const base = {
        ...none,
        organizationNumber: orgNo,
        recipientName: contacts.organizations.get(orgNo)?.name ?? "",
        recipientNumber: orgNo,
      };
      const numbers = orgNumbers(orgNo, contacts);
      if (!numbers.length)
        push({ ...base, dedupKey: `org:${orgNo}`, mobileNumber: null, status: "Failed_RecipientNotIdentified" });
      for (const n of numbers) push({ ...base, dedupKey: numberKey(n), mobileNumber: n, status: "New" });
    }
  }
  return out;
}

/**
 * The order-time summary (reference §1.1) for recipients that needed a look-up; null when none did.
 * `isReserved` lists reserved persons; `missingContact` those without a usable number (reserved ones
 * excluded). A reserved person counts as a failure unless the order ignores reservations.
 */
export function smsLookupSummary(
  recipients: SmsRecipient[],
  contacts: SmsContacts,
  ignoreReservation: boolean,
): RecipientLookup | null {
  const isReserved: string[] = [];
  const missingContact: string[] = [];
  const looked = new Set<string>();
  const failed = new Set<string>();
  for (const r of recipients) {
    if ("mobileNumber" in r) continue;
    const key = "nationalIdentityNumber" in r ? `nin:${r.nationalIdentityNumber}` : `org:${r.organizationNumber}`;
    if (looked.has(key)) continue;
    looked.add(key);
    if ("nationalIdentityNumber" in r) {
      const p = contacts.persons.get(r.nationalIdentityNumber);
      if (p?.reserved) {
        isReserved.push(r.nationalIdentityNumber);
        if (!ignoreReservation) {
          failed.add(key);
          continue;
        }
      }
      if (!personMobile(p)) {
        missingContact.push(r.nationalIdentityNumber);
        failed.add(key);
      }
    } else if (!orgNumbers(r.organizationNumber, contacts).length) {
      missingContact.push(r.organizationNumber);
      failed.add(key);
    }
  }
  if (!looked.size) return null;
  const status = failed.size === 0 ? "Success" : failed.size === looked.size ? "Failed" : "PartialSuccess";
  return { status, isReserved, missingContact };
}

export function smsLookupKeys(recipients: SmsRecipient[]): { nins: string[]; orgNos: string[] } {
  const nins = new Set<string>();
  const orgNos = new Set<string>();
  for (const r of recipients) {
    if ("nationalIdentityNumber" in r) nins.add(r.nationalIdentityNumber);
    else if ("organizationNumber" in r) orgNos.add(r.organizationNumber);
  }
  return { nins: [...nins], orgNos: [...orgNos] };
}
