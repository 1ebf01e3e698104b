/**
 * Channel schemas and their fallback (SPEC §5.5, reference §5.2), pure. A recipient's contact points
 * come as groups: a person's (one e-mail, one mobile), an organisation's official lists, and each
 * opted-in user of the organisation; the preferred/fallback rule applies to each group on its own.
 */

export const CHANNEL_SCHEMAS = ["Email", "Sms", "EmailPreferred", "SmsPreferred", "EmailAndSms"] as const;
export type ChannelSchema = (typeof CHANNEL_SCHEMAS)[number];
export type Channel = "email" | "sms";

export interface ContactPoints {
  emails: string[];
  mobiles: string[];
}

const nonBlank = (list: string[]) => list.filter((s) => s.trim() !== "");

/** The addresses of one group that the schema uses (Altinn's AddPreferredOrFallbackContactPoint[List]). */
export function pickContactPoints(schema: ChannelSchema, cp: ContactPoints): ContactPoints {
  const emails = nonBlank(cp.emails);
  const mobiles = nonBlank(cp.mobiles);
  switch (schema) {
    case "Email":
      return { emails, mobiles: [] };
    case "Sms":
      return { emails: [], mobiles };
    case "EmailPreferred":
      return emails.length ? { emails, mobiles: [] } : { emails: [], mobiles };
    case "SmsPreferred":
      return mobiles.length ? { emails: [], mobiles } : { emails, mobiles: [] };
    case "EmailAndSms":
      return { emails, mobiles };
  }
}

/** The channel(s) a recipient lands on when nothing can be found (and where a reservation is recorded). */
export function primaryChannels(schema: ChannelSchema): Channel[] {
  if (schema === "EmailAndSms") return ["email", "sms"];
  return schema === "Sms" || schema === "SmsPreferred" ? ["sms"] : ["email"];
}

export interface ChannelPlan extends ContactPoints {
  /** Channels on which the recipient gets one Failed_RecipientNotIdentified notification. */
  notIdentified: Channel[];
}

/** Every address the recipient's groups give under the schema, de-duplicated, and the channels left empty. */
export function channelPlan(schema: ChannelSchema, groups: ContactPoints[]): ChannelPlan {
  const emails = new Map<string, string>();
  const mobiles = new Map<string, string>();
  for (const g of groups) {
    const picked = pickContactPoints(schema, g);
    for (const e of picked.emails)
      if (!emails.has(e.trim().toLowerCase())) emails.set(e.trim().toLowerCase(), e.trim());
    for (const m of picked.mobiles) if (!mobiles.has(m)) mobiles.set(m, m);
  }
  const plan = { emails: [...emails.values()], mobiles: [...mobiles.values()] };
  const nothing = !plan.emails.length && !plan.mobiles.length;
  const notIdentified = primaryChannels(schema).filter((c) =>
    schema === "EmailPreferred" || schema === "SmsPreferred"
      ? nothing
      : c === "email"
        ? !plan.emails.length
        : !plan.mobiles.length,
  );
  return { ...plan, notIdentified };
}

/**
 * The registration-time check (reference §2.3, 422 NOT-00001): missing means no e-mail for Email, no
 * mobile for Sms, and neither for the other three schemas.
 */
export function hasContactPoint(schema: ChannelSchema, groups: ContactPoints[]): boolean {
  const all = groups.map((g) => ({ emails: nonBlank(g.emails), mobiles: nonBlank(g.mobiles) }));
  const email = all.some((g) => g.emails.length > 0);
  const sms = all.some((g) => g.mobiles.length > 0);
  if (schema === "Email") return email;
  if (schema === "Sms") return sms;
  return email || sms;
}
