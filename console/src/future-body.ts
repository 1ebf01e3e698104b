// The body of POST /notifications/api/v1/future/orders (SPEC §5.5) as the console sends it, and the
// way back: which form field a 400 problem's error key names. Pure, no DOM.

export type RecipientKind = "email" | "sms" | "person" | "organization";
export type ChannelSchema = "Email" | "Sms" | "EmailPreferred" | "SmsPreferred" | "EmailAndSms";
export const CHANNEL_SCHEMAS: ChannelSchema[] = ["Email", "Sms", "EmailPreferred", "SmsPreferred", "EmailAndSms"];

/** One shipment's recipient and message: the main order's, or a reminder's. */
export interface ShipmentDraft {
  kind: RecipientKind;
  /** The e-mail address, mobile number, national identity number or organisation number. */
  destination: string;
  /** Person and organisation only (an address or a number is its own channel). */
  channelSchema: ChannelSchema;
  /** Person and organisation only. */
  resourceId: string;
  subject: string;
  emailBody: string;
  smsSender: string;
  smsBody: string;
  smsPolicy: "Daytime" | "Anytime";
  sendersReference: string;
}

export interface ReminderDraft extends ShipmentDraft {
  when: "delayDays" | "requestedSendTime";
  delayDays: string;
  requestedSendTime: string;
}

export interface FutureDraft extends ShipmentDraft {
  idempotencyId: string;
  requestedSendTime: string;
  reminders: ReminderDraft[];
}

/** The channels a shipment's message needs: an address or number its own, a looked-up recipient its schema's. */
export function channelsOf(d: Pick<ShipmentDraft, "kind" | "channelSchema">): { email: boolean; sms: boolean } {
  if (d.kind === "email") return { email: true, sms: false };
  if (d.kind === "sms") return { email: false, sms: true };
  return { email: d.channelSchema !== "Sms", sms: d.channelSchema !== "Email" };
}

function recipientOf(d: ShipmentDraft): Record<string, unknown> {
  const need = channelsOf(d);
  const emailSettings = { subject: d.subject, body: d.emailBody };
  const smsSettings = {
    body: d.smsBody,
    sendingTimePolicy: d.smsPolicy,
    ...(d.smsSender ? { sender: d.smsSender } : {}),
  };
  const v = d.destination.trim();
  if (d.kind === "email") return { recipientEmail: { emailAddress: v, emailSettings } };
  if (d.kind === "sms") return { recipientSms: { phoneNumber: v, smsSettings } };
  const looked = {
    channelSchema: d.channelSchema,
    ...(need.email ? { emailSettings } : {}),
    ...(need.sms ? { smsSettings } : {}),
    ...(d.resourceId.trim() ? { resourceId: d.resourceId.trim() } : {}),
  };
  return d.kind === "person"
    ? { recipientPerson: { nationalIdentityNumber: v, ...looked } }
    : { recipientOrganization: { orgNumber: v, ...looked } };
}

/** A whole number as a number; anything else as typed, so the API names what is wrong with it. */
function days(v: string): number | string {
  return /^\s*-?\d{1,6}\s*$/.test(v) ? Number(v) : v;
}

function reminderOf(r: ReminderDraft): Record<string, unknown> {
  return {
    ...(r.when === "delayDays" ? { delayDays: days(r.delayDays) } : { requestedSendTime: r.requestedSendTime.trim() }),
    ...(r.sendersReference ? { sendersReference: r.sendersReference } : {}),
    recipient: recipientOf(r),
  };
}

/** The body of POST /future/orders. Pure. */
export function futureBody(d: FutureDraft): Record<string, unknown> {
  return {
    idempotencyId: d.idempotencyId,
    ...(d.sendersReference ? { sendersReference: d.sendersReference } : {}),
    ...(d.requestedSendTime.trim() ? { requestedSendTime: d.requestedSendTime.trim() } : {}),
    recipient: recipientOf(d),
    ...(d.reminders.length ? { reminders: d.reminders.map(reminderOf) } : {}),
  };
}

/** Form fields a problem can name: a shipment's, plus a reminder's `when`/`delayDays`. */
export type FieldName =
  | "idempotencyId"
  | "requestedSendTime"
  | "when"
  | "delayDays"
  | "destination"
  | "channelSchema"
  | "resourceId"
  | "subject"
  | "emailBody"
  | "smsSender"
  | "smsBody"
  | "smsPolicy"
  | "sendersReference";

/** `main.subject`, `reminder0.delayDays`: where a message is shown. */
export type FieldKey = `main.${FieldName}` | `reminder${number}.${FieldName}`;

const LEAF: Record<string, FieldName> = {
  idempotencyid: "idempotencyId",
  requestedsendtime: "requestedSendTime",
  delaydays: "delayDays",
  sendersreference: "sendersReference",
  emailaddress: "destination",
  phonenumber: "destination",
  nationalidentitynumber: "destination",
  orgnumber: "destination",
  channelschema: "channelSchema",
  resourceid: "resourceId",
  resourceaction: "resourceId",
  subject: "subject",
  sender: "smsSender",
  sendingtimepolicy: "smsPolicy",
};

/**
 * The form field an error key of POST /future/orders names (`Recipient.RecipientEmail.Settings.Subject`,
 * `Reminders[0].DelayDays`, `Recipient.RecipientPerson.SmsSettings.Body`), or null when no field shows it.
 */
export function fieldOf(key: string, d: Pick<FutureDraft, "kind" | "reminders">): FieldKey | null {
  const m = /^Reminders\[(\d+)\](?:\.(.*))?$/.exec(key);
  const scope = m ? `reminder${m[1]}` : "main";
  const rest = m ? (m[2] ?? "") : key;
  if (m && rest === "") return `reminder${m[1]}.when` as FieldKey;
  const parts = rest.split(".");
  const leaf = parts.at(-1)!.toLowerCase();
  const kind = m ? d.reminders[Number(m[1])]?.kind : d.kind;
  let field: FieldName | undefined;
  if (leaf === "body") {
    const sms = parts.some((p) => /^(RecipientSms|SmsSettings)$/i.test(p));
    field = sms || (kind === "sms" && parts.some((p) => /^Settings$/i.test(p))) ? "smsBody" : "emailBody";
  } else if (/^(Recipient|Recipient\.Recipient\w+)$/i.test(rest)) field = "destination";
  else if (/emailsettings$|^settings$/i.test(leaf))
    field = kind === "sms" || /smssettings$/i.test(leaf) ? "smsBody" : "subject";
  else if (leaf === "smssettings") field = "smsBody";
  else field = LEAF[leaf];
  if (!field || (field === "idempotencyId" && m)) return null;
  return `${scope}.${field}` as FieldKey;
}

/** A 400 problem's `errors` sorted onto form fields; what no field shows stays in `other`. */
export function fieldErrors(
  errors: Record<string, string[]> | undefined,
  d: Pick<FutureDraft, "kind" | "reminders">,
): { fields: Partial<Record<FieldKey, string>>; other: Record<string, string[]> } {
  const fields: Partial<Record<FieldKey, string>> = {};
  const other: Record<string, string[]> = {};
  for (const [key, msgs] of Object.entries(errors ?? {})) {
    const f = fieldOf(key, d);
    if (f) fields[f] = [fields[f], ...msgs].filter(Boolean).join(" ");
    else other[key] = msgs;
  }
  return { fields, other };
}
