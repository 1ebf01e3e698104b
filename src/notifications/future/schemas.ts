/**
 * Validation of `POST /future/orders` (SPEC §5.5, reference §2.1–§2.2), pure: Altinn's exact texts,
 * keyed by C# property paths (`Recipient.RecipientEmail.Settings.Subject`, `Reminders[0].DelayDays`).
 * Property names and enum values match case-insensitively; enums also take their integer values.
 */
import { isValidEmail } from "../../lib/email-address";
import { isOffsetDateTime } from "../../lib/time";
import { checkDestination } from "../../net/destination";
import { isValidMobileNumber } from "../../sms/phone";
import { CHANNEL_SCHEMAS, type ChannelSchema } from "./channels";

export const FUTURE_TEXTS = {
  timeZone: "The requested send time value must have specified a time zone.",
  notBeforeNow: "RequestedSendTime must be greater than or equal to now.",
  conditionUri: "ConditionEndpoint must be a valid absolute URI or null.",
  conditionScheme: "ConditionEndpoint must use http or https scheme.",
  conditionDestination: "ConditionEndpoint must name a public https destination.",
  idempotencyId: "IdempotencyId cannot be null or empty.",
  recipientMissing: "'Recipient' must not be empty.",
  exactlyOne: "Must have exactly one recipient.",
  externalIdentity:
    "recipientExternalIdentity is not supported: Varsel has no profile register for self-identified users. Use recipientEmail instead.",
  email: "Invalid email address format.",
  emailSettingsNull: "Recipient email settings cannot be null.",
  sender: "The sender email address is not valid.",
  subject: "The email subject must not be empty.",
  emailBody: "The email body must not be empty.",
  emailPolicy: "Email only supports send time anytime",
  contentType: "Email content type must be either Plain or HTML.",
  phoneEmpty: "Recipient phone number cannot be null or empty.",
  phone: "Recipient phone number is not a valid mobile number.",
  smsSettingsNull: "'Settings' must not be empty.",
  smsBody: "SMS body cannot be null or empty.",
  smsPolicy: "SMS only supports send time daytime and anytime",
  channel: "Invalid channel scheme value.",
  bothEmail: "EmailSettings must be set when ChannelSchema is EmailAndSms",
  bothSms: "SmsSettings must be set when ChannelSchema is EmailAndSms",
  preferredEmail: "EmailSettings must be set when ChannelSchema is SmsPreferred or EmailPreferred",
  preferredSms: "SmsSettings must be set when ChannelSchema is SmsPreferred or EmailPreferred",
  smsOnly: "SmsSettings must be set when ChannelSchema is Sms",
  emailOnly: "EmailSettings must be set when ChannelSchema is Email",
  resourceId: "ResourceId must have a valid syntax.",
  actionWithoutId: "ResourceAction cannot be specified without a ResourceId.",
  actionBlank: "ResourceAction cannot be blank or whitespace.",
  nin: "National identity number must be 11 digits long.",
  orgEmpty: "OrgNumber cannot be null or empty.",
  orgNo: "Organization number must be 9 digits long.",
  reminderWhen: "Either DelayDays or RequestedSendTime must be defined, but not both.",
  delayDays: "DelayDays must be greater than or equal to 1 day.",
  reminderTimeZone: "The RequestedSendTime must have specified a time zone.",
  reminderNotBeforeNow: "RequestedSendTime must be greater than or equal to the current UTC time.",
  text: (name: string, max: number) => `'${name}' must be a string of at most ${max} characters.`,
} as const;

export type ContentType = "Plain" | "Html";
export type SendingTimePolicy = "Anytime" | "Daytime";

export interface EmailSettings {
  senderEmailAddress: string | null;
  subject: string;
  body: string;
  contentType: ContentType;
}
export interface SmsSettings {
  sender: string | null;
  body: string;
  sendingTimePolicy: SendingTimePolicy;
}

export type FutureRecipient =
  | { kind: "email"; emailAddress: string; emailSettings: EmailSettings }
  | { kind: "sms"; phoneNumber: string; smsSettings: SmsSettings }
  | ({ kind: "person"; nationalIdentityNumber: string; ignoreReservation: boolean } & LookedUp)
  | ({ kind: "organization"; orgNumber: string } & LookedUp);

export interface LookedUp {
  channelSchema: ChannelSchema;
  emailSettings: EmailSettings | null;
  smsSettings: SmsSettings | null;
  resourceId: string | null;
}

export interface ShipmentRequest {
  requestedSendTime: string;
  sendersReference: string | null;
  conditionEndpoint: string | null;
  recipient: FutureRecipient;
}

export interface ChainRequest {
  idempotencyId: string;
  main: ShipmentRequest;
  reminders: ShipmentRequest[];
  dialogportenAssociation: { dialogId?: string; transmissionId?: string } | null;
}

export type Errors = Record<string, string[]>;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

/** A property by name, case-insensitively (ASP.NET's JSON binding). */
export function prop(o: Obj, name: string): unknown {
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** An enum value by name (any case) or integer value; undefined when absent, null when invalid. */
export function enumValue<T extends string>(
  v: unknown,
  names: readonly T[],
  values: readonly number[],
): T | null | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" && Number.isInteger(v)) {
    const i = values.indexOf(v);
    return i >= 0 ? names[i]! : null;
  }
  if (typeof v !== "string") return null;
  return names.find((n) => n.toLowerCase() === v.trim().toLowerCase()) ?? null;
}

class Collector {
  readonly errors: Errors = {};
  add(path: string, message: string): void {
    const list = (this.errors[path] ??= []);
    if (!list.includes(message)) list.push(message);
  }
  /** Adds the message and gives null, for `return c.fail(...)`. */
  fail(path: string, message: string): null {
    this.add(path, message);
    return null;
  }
  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }
}

function optText(c: Collector, path: string, v: unknown, max: number): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string" || v.length > max) {
    c.add(path, FUTURE_TEXTS.text(path.split(".").pop() ?? path, max));
    return null;
  }
  return v;
}

function emailSettings(c: Collector, path: string, v: Obj): EmailSettings {
  const sender = prop(v, "senderEmailAddress");
  let senderEmailAddress: string | null = null;
  if (sender !== undefined && sender !== null) {
    if (typeof sender !== "string" || !isValidEmail(sender.trim()))
      c.add(`${path}.SenderEmailAddress`, FUTURE_TEXTS.sender);
    else senderEmailAddress = sender.trim() || null;
  }
  const subject = prop(v, "subject");
  if (blank(subject) || typeof subject !== "string") c.add(`${path}.Subject`, FUTURE_TEXTS.subject);
  const body = prop(v, "body");
  if (blank(body) || typeof body !== "string") c.add(`${path}.Body`, FUTURE_TEXTS.emailBody);
  const contentType = enumValue(prop(v, "contentType"), ["Plain", "Html"] as const, [0, 1]);
  if (contentType === null) c.add(`${path}.ContentType`, FUTURE_TEXTS.contentType);
  const policy = enumValue(prop(v, "sendingTimePolicy"), ["Anytime", "Daytime"] as const, [1, 2]);
  if (policy === null || policy === "Daytime") c.add(`${path}.SendingTimePolicy`, FUTURE_TEXTS.emailPolicy);
  if (typeof subject === "string" && subject.length > 2000)
    c.add(`${path}.Subject`, FUTURE_TEXTS.text("Subject", 2000));
  return {
    senderEmailAddress,
    // CR/LF sequences in the subject become one space (reference §2.1).
    subject: typeof subject === "string" ? subject.replace(/[\r\n]+/g, " ") : "",
    body: typeof body === "string" ? body : "",
    contentType: contentType ?? "Plain",
  };
}

function smsSettings(c: Collector, path: string, v: Obj): SmsSettings {
  const body = prop(v, "body");
  if (blank(body) || typeof body !== "string") c.add(`${path}.Body`, FUTURE_TEXTS.smsBody);
  const policy = enumValue(prop(v, "sendingTimePolicy"), ["Anytime", "Daytime"] as const, [1, 2]);
  if (policy === null) c.add(`${path}.SendingTimePolicy`, FUTURE_TEXTS.smsPolicy);
  const sender = optText(c, `${path}.Sender`, prop(v, "sender"), 100);
  return {
    sender: sender?.trim() || null,
    body: typeof body === "string" ? body : "",
    // SMS default to Daytime (reference §2.1).
    sendingTimePolicy: policy ?? "Daytime",
  };
}

/** A settings object where one is required (null → `nullText`) or optional (validated when given). */
function settings<T>(
  c: Collector,
  path: string,
  v: unknown,
  parse: (c: Collector, path: string, v: Obj) => T,
  nullText?: string,
): T | null {
  if (v === undefined || v === null) {
    if (nullText) c.add(path, nullText);
    return null;
  }
  if (!isObj(v)) {
    c.add(path, nullText ?? FUTURE_TEXTS.exactlyOne);
    return null;
  }
  return parse(c, path, v);
}

const RESOURCE_URN = /^urn:altinn:resource:.+$/;

function lookedUp(c: Collector, path: string, v: Obj, emailKey: string, smsKey: string): LookedUp {
  const schema = enumValue(prop(v, "channelSchema"), CHANNEL_SCHEMAS, [0, 1, 2, 3, 4]);
  if (!schema) c.add(`${path}.ChannelSchema`, FUTURE_TEXTS.channel);
  const email = settings(c, `${path}.${emailKey}`, prop(v, "emailSettings"), emailSettings);
  const sms = settings(c, `${path}.${smsKey}`, prop(v, "smsSettings"), smsSettings);
  if (schema === "EmailAndSms") {
    if (!email) c.add(`${path}.${emailKey}`, FUTURE_TEXTS.bothEmail);
    if (!sms) c.add(`${path}.${smsKey}`, FUTURE_TEXTS.bothSms);
  } else if (schema === "EmailPreferred" || schema === "SmsPreferred") {
    if (!email) c.add(`${path}.${emailKey}`, FUTURE_TEXTS.preferredEmail);
    if (!sms) c.add(`${path}.${smsKey}`, FUTURE_TEXTS.preferredSms);
  } else if (schema === "Sms" && !sms) c.add(`${path}.${smsKey}`, FUTURE_TEXTS.smsOnly);
  else if (schema === "Email" && !email) c.add(`${path}.${emailKey}`, FUTURE_TEXTS.emailOnly);
  const resourceId = prop(v, "resourceId");
  let id: string | null = null;
  if (resourceId !== undefined && resourceId !== null) {
    if (typeof resourceId !== "string" || !RESOURCE_URN.test(resourceId) || resourceId.length > 300)
      c.add(`${path}.ResourceId`, FUTURE_TEXTS.resourceId);
    else id = resourceId;
  }
  const action = prop(v, "resourceAction");
  if (action !== undefined && action !== null) {
    if (blank(resourceId)) c.add(`${path}.ResourceAction`, FUTURE_TEXTS.actionWithoutId);
    else if (typeof action !== "string" || action.trim() === "")
      c.add(`${path}.ResourceAction`, FUTURE_TEXTS.actionBlank);
  }
  return { channelSchema: schema ?? "Email", emailSettings: email, smsSettings: sms, resourceId: id };
}

const VARIANTS = [
  "recipientEmail",
  "recipientSms",
  "recipientPerson",
  "recipientOrganization",
  "recipientExternalIdentity",
] as const;
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function recipient(c: Collector, path: string, v: unknown): FutureRecipient | null {
  if (v === undefined || v === null) return c.fail(path, FUTURE_TEXTS.recipientMissing);
  if (!isObj(v)) return c.fail(path, FUTURE_TEXTS.exactlyOne);
  const given = VARIANTS.filter((k) => !blank(prop(v, k)));
  if (given.length !== 1) return c.fail(path, FUTURE_TEXTS.exactlyOne);
  const kind = given[0]!;
  const at = `${path}.${pascal(kind)}`;
  const r = prop(v, kind);
  if (kind === "recipientExternalIdentity") return c.fail(at, FUTURE_TEXTS.externalIdentity);
  if (!isObj(r)) return c.fail(at, FUTURE_TEXTS.exactlyOne);
  if (kind === "recipientEmail") {
    const address = prop(r, "emailAddress");
    if (typeof address !== "string" || !isValidEmail(address.trim())) c.add(`${at}.EmailAddress`, FUTURE_TEXTS.email);
    const s = settings(c, `${at}.Settings`, prop(r, "emailSettings"), emailSettings, FUTURE_TEXTS.emailSettingsNull);
    return s && typeof address === "string" ? { kind: "email", emailAddress: address.trim(), emailSettings: s } : null;
  }
  if (kind === "recipientSms") {
    const phone = prop(r, "phoneNumber");
    if (blank(phone)) c.add(`${at}.PhoneNumber`, FUTURE_TEXTS.phoneEmpty);
    else if (typeof phone !== "string" || phone.length > 64 || !isValidMobileNumber(phone))
      c.add(`${at}.PhoneNumber`, FUTURE_TEXTS.phone);
    const s = settings(c, `${at}.Settings`, prop(r, "smsSettings"), smsSettings, FUTURE_TEXTS.smsSettingsNull);
    // Stored and sent as given (reference §1.1).
    return s && typeof phone === "string" ? { kind: "sms", phoneNumber: phone, smsSettings: s } : null;
  }
  if (kind === "recipientPerson") {
    const nin = prop(r, "nationalIdentityNumber");
    if (typeof nin !== "string" || !/^\d{11}$/.test(nin)) c.add(`${at}.NationalIdentityNumber`, FUTURE_TEXTS.nin);
    const base = lookedUp(c, at, r, "EmailSettings", "SmsSettings");
    const ignore = prop(r, "ignoreReservation");
    return typeof nin === "string"
      ? { kind: "person", nationalIdentityNumber: nin, ignoreReservation: ignore === true, ...base }
      : null;
  }
  const orgNo = prop(r, "orgNumber");
  if (blank(orgNo)) c.add(`${at}.OrgNumber`, FUTURE_TEXTS.orgEmpty);
  else if (typeof orgNo !== "string" || !/^\d{9}$/.test(orgNo)) c.add(`${at}.OrgNumber`, FUTURE_TEXTS.orgNo);
  const base = lookedUp(c, at, r, "EmailSettings", "SmsSettings");
  return typeof orgNo === "string" ? { kind: "organization", orgNumber: orgNo, ...base } : null;
}

function condition(c: Collector, path: string, v: unknown, insecure: boolean): string | null {
  if (v === undefined || v === null) return null;
  let url: URL | null = null;
  try {
    url = typeof v === "string" ? new URL(v) : null;
  } catch {
    url = null;
  }
  if (!url || typeof v !== "string") return c.fail(path, FUTURE_TEXTS.conditionUri);
  if (url.protocol !== "http:" && url.protocol !== "https:") return c.fail(path, FUTURE_TEXTS.conditionScheme);
  // The one destination rule (SPEC §7.3) on top of Altinn's syntax rules.
  if (!checkDestination(v, insecure).ok) return c.fail(path, FUTURE_TEXTS.conditionDestination);
  return v;
}

/** An offset date-time not before `now`; absent → null. */
function sendTime(c: Collector, path: string, v: unknown, now: Date, tzText: string, pastText: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string" || !isOffsetDateTime(v.trim())) return c.fail(path, tzText);
  const at = Date.parse(v.trim());
  if (Number.isNaN(at)) return c.fail(path, tzText);
  if (at < now.getTime()) return c.fail(path, pastText);
  return new Date(at).toISOString();
}

/** Adds calendar days in UTC (reference §5.1: main time + delayDays). */
export function reminderTime(main: string, delayDays: number): string {
  const d = new Date(main);
  d.setUTCDate(d.getUTCDate() + delayDays);
  return d.toISOString();
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Errors };

/** Validates a `POST /future/orders` body against the clock. */
export function parseChainRequest(body: unknown, now: Date, insecureEndpoints: boolean): Parsed<ChainRequest> {
  const c = new Collector();
  if (!isObj(body)) return { ok: false, errors: { $: ["The request body must be a JSON object."] } };
  const idem = prop(body, "idempotencyId");
  if (blank(idem) || typeof idem !== "string") c.add("IdempotencyId", FUTURE_TEXTS.idempotencyId);
  else if (idem.length > 200) c.add("IdempotencyId", FUTURE_TEXTS.text("IdempotencyId", 200));
  const requested =
    sendTime(
      c,
      "RequestedSendTime",
      prop(body, "requestedSendTime"),
      now,
      FUTURE_TEXTS.timeZone,
      FUTURE_TEXTS.notBeforeNow,
    ) ?? now.toISOString();
  const main: Partial<ShipmentRequest> = {
    requestedSendTime: requested,
    sendersReference: optText(c, "SendersReference", prop(body, "sendersReference"), 1000),
    conditionEndpoint: condition(c, "ConditionEndpoint", prop(body, "conditionEndpoint"), insecureEndpoints),
  };
  const mainRecipient = recipient(c, "Recipient", prop(body, "recipient"));
  const dp = prop(body, "dialogportenAssociation");
  let dialogportenAssociation: ChainRequest["dialogportenAssociation"] = null;
  if (isObj(dp)) {
    const dialogId = optText(c, "DialogportenAssociation.DialogId", prop(dp, "dialogId"), 200);
    const transmissionId = optText(c, "DialogportenAssociation.TransmissionId", prop(dp, "transmissionId"), 200);
    dialogportenAssociation = {
      ...(dialogId !== null ? { dialogId } : {}),
      ...(transmissionId !== null ? { transmissionId } : {}),
    };
  }
  const rawReminders = prop(body, "reminders");
  const reminders: ShipmentRequest[] = [];
  if (Array.isArray(rawReminders)) {
    if (rawReminders.length > 50) c.add("Reminders", "At most 50 reminders are accepted.");
    rawReminders.slice(0, 50).forEach((r, i) => {
      const at = `Reminders[${i}]`;
      if (!isObj(r)) {
        c.add(at, FUTURE_TEXTS.reminderWhen);
        return;
      }
      const delay = prop(r, "delayDays");
      const time = prop(r, "requestedSendTime");
      let when: string | null = null;
      if ((delay === undefined || delay === null) === (time === undefined || time === null)) {
        c.add(at, FUTURE_TEXTS.reminderWhen);
      } else if (delay !== undefined && delay !== null) {
        if (typeof delay !== "number" || !Number.isInteger(delay) || delay < 1 || delay > 3650)
          c.add(`${at}.DelayDays`, FUTURE_TEXTS.delayDays);
        else when = reminderTime(requested, delay);
      } else {
        when = sendTime(
          c,
          `${at}.RequestedSendTime`,
          time,
          now,
          FUTURE_TEXTS.reminderTimeZone,
          FUTURE_TEXTS.reminderNotBeforeNow,
        );
      }
      const rr = recipient(c, `${at}.Recipient`, prop(r, "recipient"));
      const sendersReference = optText(c, `${at}.SendersReference`, prop(r, "sendersReference"), 1000);
      const conditionEndpoint = condition(
        c,
        `${at}.ConditionEndpoint`,
        prop(r, "conditionEndpoint"),
        insecureEndpoints,
      );
      if (when && rr) reminders.push({ requestedSendTime: when, sendersReference, conditionEndpoint, recipient: rr });
    });
  } else if (rawReminders !== undefined && rawReminders !== null) c.add("Reminders", "'Reminders' must be an array.");
  if (!c.ok || !mainRecipient) return { ok: false, errors: c.errors };
  return {
    ok: true,
    value: {
      idempotencyId: idem as string,
      main: { ...(main as ShipmentRequest), recipient: mainRecipient },
      reminders,
      dialogportenAssociation,
    },
  };
}
