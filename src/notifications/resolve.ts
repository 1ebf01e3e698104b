/**
 * Recipient resolution (SPEC §5.3), pure: given the ordered recipients and what the contact register
 * knows about them, the e-mails to make. Also the order-time lookup summary (SPEC §5.1) and keywords.
 */
import type { OrganizationContact, OrgUserContact, PersonContact } from "../contacts/lookup";
import type { EmailStatus, OrderRecipient } from "./model";
import { isValidEmail } from "../lib/email-address";

export interface Contacts {
  persons: Map<string, PersonContact>;
  organizations: Map<string, OrganizationContact>;
  /** Users reached through an organisation for the order's resource (empty without a resourceId). */
  orgUsers: OrgUserContact[];
}

/** A notification to be stored: one per address, or one per recipient that cannot get an e-mail. */
export interface Draft {
  /** Unique per order: the lower-cased address, or `nin:`/`org:` plus the number for a failed lookup. */
  dedupKey: string;
  emailAddress: string | null;
  organizationNumber: string | null;
  nationalIdentityNumber: string | null;
  isReserved: boolean | null;
  recipientName: string;
  recipientNumber: string;
  status: Extract<
    EmailStatus,
    "New" | "Failed_RecipientReserved" | "Failed_RecipientNotIdentified" | "Failed_InvalidEmailFormat"
  >;
}

export function addressKey(email: string): string {
  return email.trim().toLowerCase();
}

function addressDraft(email: string, base: Omit<Draft, "dedupKey" | "emailAddress" | "status">): Draft {
  const address = email.trim();
  return {
    ...base,
    dedupKey: addressKey(address),
    emailAddress: address,
    status: isValidEmail(address) ? "New" : "Failed_InvalidEmailFormat",
  };
}

/** Every e-mail the recipients resolve to, de-duplicated by address (first occurrence wins). */
export function resolveRecipients(
  recipients: OrderRecipient[],
  contacts: Contacts,
  ignoreReservation: boolean,
): Draft[] {
  const out: Draft[] = [];
  const seen = new Set<string>();
  const push = (d: Draft) => {
    if (seen.has(d.dedupKey)) return;
    seen.add(d.dedupKey);
    out.push(d);
  };
  const usersByOrg = new Map<string, OrgUserContact[]>();
  for (const u of contacts.orgUsers) (usersByOrg.get(u.orgNo) ?? usersByOrg.set(u.orgNo, []).get(u.orgNo)!).push(u);

  for (const r of recipients) {
    if ("emailAddress" in r) {
      push(
        addressDraft(r.emailAddress, {
          organizationNumber: null,
          nationalIdentityNumber: null,
          isReserved: null,
          recipientName: "",
          recipientNumber: "",
        }),
      );
    } else if ("nationalIdentityNumber" in r) {
      const nin = r.nationalIdentityNumber;
      const p = contacts.persons.get(nin);
      const base = {
        organizationNumber: null,
        nationalIdentityNumber: nin,
        isReserved: p ? p.reserved : null,
        recipientName: p?.name ?? "",
        recipientNumber: "",
      };
      // A reserved person's address is never stored nor shown (SPEC §5.3): named by number only.
      if (p && p.reserved && !ignoreReservation)
        push({ ...base, dedupKey: `nin:${nin}`, emailAddress: null, status: "Failed_RecipientReserved" });
      else if (!p || !p.email)
        push({ ...base, dedupKey: `nin:${nin}`, emailAddress: null, status: "Failed_RecipientNotIdentified" });
      else push(addressDraft(p.email, base));
    } else {
      const orgNo = r.organizationNumber;
      const org = contacts.organizations.get(orgNo);
      const base = {
        organizationNumber: orgNo,
        nationalIdentityNumber: null,
        isReserved: null,
        recipientName: org?.name ?? "",
        recipientNumber: orgNo,
      };
      const addresses = [...(org?.emails ?? []), ...(usersByOrg.get(orgNo) ?? []).map((u) => u.email)].filter(
        (e) => e.trim() !== "",
      );
      if (!addresses.length)
        push({ ...base, dedupKey: `org:${orgNo}`, emailAddress: null, status: "Failed_RecipientNotIdentified" });
      for (const a of addresses) push(addressDraft(a, base));
    }
  }
  return out;
}

export interface RecipientLookup {
  status: "Success" | "PartialSuccess" | "Failed";
  isReserved: string[];
  missingContact: string[];
}

/**
 * The order-time summary for recipients that needed a look-up (persons and organisations); null when
 * none did. A reserved person counts as a failure unless the order ignores reservations.
 */
export function lookupSummary(
  recipients: OrderRecipient[],
  contacts: Contacts,
  ignoreReservation: boolean,
): RecipientLookup | null {
  const isReserved: string[] = [];
  const missingContact: string[] = [];
  const looked = new Set<string>();
  const failed = new Set<string>();
  const usersByOrg = new Set(contacts.orgUsers.filter((u) => u.email).map((u) => u.orgNo));
  for (const r of recipients) {
    if ("nationalIdentityNumber" in r) {
      const nin = r.nationalIdentityNumber;
      if (looked.has(`nin:${nin}`)) continue;
      looked.add(`nin:${nin}`);
      const p = contacts.persons.get(nin);
      if (p?.reserved) {
        isReserved.push(nin);
        if (!ignoreReservation) failed.add(`nin:${nin}`);
      }
      if (!p?.email) {
        missingContact.push(nin);
        failed.add(`nin:${nin}`);
      }
    } else if ("organizationNumber" in r) {
      const orgNo = r.organizationNumber;
      if (looked.has(`org:${orgNo}`)) continue;
      looked.add(`org:${orgNo}`);
      const org = contacts.organizations.get(orgNo);
      if (!org?.emails.length && !usersByOrg.has(orgNo)) {
        missingContact.push(orgNo);
        failed.add(`org:${orgNo}`);
      }
    }
  }
  if (!looked.size) return null;
  const status = failed.size === 0 ? "Success" : failed.size === looked.size ? "Failed" : "PartialSuccess";
  return { status, isReserved, missingContact };
}

/** Case-sensitive keyword substitution in subject and body. */
export function substituteKeywords(text: string, recipientName: string, recipientNumber: string): string {
  return text.replaceAll("$recipientName$", recipientName).replaceAll("$recipientNumber$", recipientNumber);
}

/** Which look-ups a list of recipients needs. */
export function lookupKeys(recipients: OrderRecipient[]): { nins: string[]; orgNos: string[] } {
  const nins = new Set<string>();
  const orgNos = new Set<string>();
  for (const r of recipients) {
    if ("nationalIdentityNumber" in r) nins.add(r.nationalIdentityNumber);
    else if ("organizationNumber" in r) orgNos.add(r.organizationNumber);
  }
  return { nins: [...nins], orgNos: [...orgNos] };
}
