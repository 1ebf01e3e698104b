/** Validation of the instant orders (reference §3.1–§3.2), pure, with Altinn's texts. */
import { isValidEmail } from "../../lib/email-address";
import { isValidMobileNumber } from "../../sms/phone";
import { enumValue, type Errors, FUTURE_TEXTS, type Parsed, prop } from "./schemas";

export const INSTANT_TEXTS = {
  smsNull: "SMS details cannot be null.",
  ttl: "Time-to-live must be between 60 and 172800 seconds (48 hours).",
  smsBody: "The Body field is required.",
  emailNull: "Email details cannot be null.",
  emailSettingsNull: "Email settings cannot be null.",
  subject: "The email subject cannot be empty.",
  body: "The email body cannot be empty.",
} as const;

export const TTL_MIN_S = 60;
export const TTL_MAX_S = 172_800;

export interface InstantSms {
  idempotencyId: string;
  sendersReference: string | null;
  phoneNumber: string;
  timeToLiveInSeconds: number;
  sender: string | null;
  body: string;
}
export interface InstantEmail {
  idempotencyId: string;
  sendersReference: string | null;
  emailAddress: string;
  senderEmailAddress: string | null;
  subject: string;
  body: string;
  contentType: "Plain" | "Html";
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const blank = (v: unknown) => typeof v !== "string" || v.trim() === "";

function common(body: Obj, errors: Errors): { idempotencyId: string; sendersReference: string | null } {
  const idem = prop(body, "idempotencyId");
  if (blank(idem) || (idem as string).length > 200) errors.IdempotencyId = [FUTURE_TEXTS.idempotencyId];
  const ref = prop(body, "sendersReference");
  if (ref !== undefined && ref !== null && (typeof ref !== "string" || ref.length > 1000))
    errors.SendersReference = [FUTURE_TEXTS.text("SendersReference", 1000)];
  return { idempotencyId: String(idem ?? ""), sendersReference: typeof ref === "string" ? ref : null };
}

export function parseInstantSms(body: unknown): Parsed<InstantSms> {
  if (!isObj(body)) return { ok: false, errors: { $: ["The request body must be a JSON object."] } };
  const errors: Errors = {};
  const c = common(body, errors);
  const r = prop(body, "recipientSms");
  if (!isObj(r)) return { ok: false, errors: { ...errors, RecipientSms: [INSTANT_TEXTS.smsNull] } };
  const phone = prop(r, "phoneNumber");
  if (typeof phone !== "string" || phone.length > 64 || !isValidMobileNumber(phone))
    errors["RecipientSms.PhoneNumber"] = [FUTURE_TEXTS.phone];
  const ttl = prop(r, "timeToLiveInSeconds");
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < TTL_MIN_S || ttl > TTL_MAX_S)
    errors["RecipientSms.TimeToLiveInSeconds"] = [INSTANT_TEXTS.ttl];
  const settings = prop(r, "smsSettings");
  const text = isObj(settings) ? prop(settings, "body") : undefined;
  if (blank(text)) errors["RecipientSms.SmsSettings.Body"] = [INSTANT_TEXTS.smsBody];
  const sender = isObj(settings) ? prop(settings, "sender") : undefined;
  if (sender !== undefined && sender !== null && (typeof sender !== "string" || sender.length > 100))
    errors["RecipientSms.SmsSettings.Sender"] = [FUTURE_TEXTS.text("Sender", 100)];
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ...c,
      phoneNumber: phone as string,
      timeToLiveInSeconds: ttl as number,
      sender: typeof sender === "string" && sender.trim() !== "" ? sender : null,
      body: text as string,
    },
  };
}

export function parseInstantEmail(body: unknown): Parsed<InstantEmail> {
  if (!isObj(body)) return { ok: false, errors: { $: ["The request body must be a JSON object."] } };
  const errors: Errors = {};
  const c = common(body, errors);
  const r = prop(body, "recipientEmail");
  if (!isObj(r)) return { ok: false, errors: { ...errors, RecipientEmail: [INSTANT_TEXTS.emailNull] } };
  const address = prop(r, "emailAddress");
  if (typeof address !== "string" || !isValidEmail(address.trim()))
    errors["RecipientEmail.EmailAddress"] = [FUTURE_TEXTS.email];
  const s = prop(r, "emailSettings");
  if (!isObj(s))
    return { ok: false, errors: { ...errors, "RecipientEmail.EmailSettings": [INSTANT_TEXTS.emailSettingsNull] } };
  const sender = prop(s, "senderEmailAddress");
  if (sender !== undefined && sender !== null && (typeof sender !== "string" || !isValidEmail(sender.trim())))
    errors["RecipientEmail.EmailSettings.SenderEmailAddress"] = [FUTURE_TEXTS.email];
  const subject = prop(s, "subject");
  if (blank(subject)) errors["RecipientEmail.EmailSettings.Subject"] = [INSTANT_TEXTS.subject];
  const text = prop(s, "body");
  if (blank(text)) errors["RecipientEmail.EmailSettings.Body"] = [INSTANT_TEXTS.body];
  const contentType = enumValue(prop(s, "contentType"), ["Plain", "Html"] as const, [0, 1]);
  if (contentType === null) errors["RecipientEmail.EmailSettings.ContentType"] = [FUTURE_TEXTS.contentType];
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ...c,
      emailAddress: (address as string).trim(),
      senderEmailAddress: typeof sender === "string" ? sender.trim() : null,
      subject: (subject as string).replace(/[\r\n]+/g, " "),
      body: text as string,
      contentType: contentType ?? "Plain",
    },
  };
}
