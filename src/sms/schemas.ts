/** zod schema for `POST /orders/sms` (SPEC §5.4, reference §1.1) with Altinn's exact validation texts. */
import { z } from "zod";
import { isAllowedDestination } from "../net/destination";
import { caseInsensitiveKeys } from "../http/validate";
import { FIVE_MINUTES_MS } from "../notifications/model";
import { hasTimeZone, TEXTS as EMAIL_TEXTS } from "../notifications/schemas";
import { isValidMobileNumber } from "./phone";

export const SMS_TEXTS = {
  body: "The SMS template body must not be empty.",
  recipients: EMAIL_TEXTS.recipients,
  recipientIdentifier:
    "Either a valid mobile number starting with country code, organization number, or national identity number must be provided for each recipient.",
  mobile: "Mobile number can contain only '+' and numeric characters, and it must adhere to the E.164 standard.",
  nin: EMAIL_TEXTS.nin,
  orgNo: EMAIL_TEXTS.orgNo,
  ninCombined: "National identity number cannot be combined with email address, mobile number, or organization number.",
  orgCombined: "Organization number cannot be combined with email address, mobile number, or national identity number.",
  timeZone: EMAIL_TEXTS.timeZone,
  future: EMAIL_TEXTS.future,
  conditionEndpoint: EMAIL_TEXTS.conditionEndpoint,
  resourceId: EMAIL_TEXTS.resourceId,
  resourceActionWithoutId: "ResourceAction cannot be specified without a ResourceId.",
  resourceActionBlank: "ResourceAction cannot be blank or whitespace.",
  ignoreReservation: EMAIL_TEXTS.ignoreReservation,
  sendersReference: EMAIL_TEXTS.sendersReference,
  senderNumber: "'SenderNumber' must be a string of at most 100 characters.",
} as const;

/** One SMS recipient as ordered: exactly one identifier. */
export type SmsRecipient =
  | { mobileNumber: string }
  | { nationalIdentityNumber: string }
  | { organizationNumber: string };

const RESOURCE_ID =
  /^(urn:altinn:resource:[a-z0-9][a-z0-9._-]{0,199}|app_[a-z0-9][a-z0-9-]{0,63}_[a-z0-9][a-z0-9_-]{0,99})$/;
const RECIPIENT_KEYS = caseInsensitiveKeys([
  "emailAddress",
  "nationalIdentityNumber",
  "organizationNumber",
  "mobileNumber",
  "isReserved",
]);
const ORDER_KEYS = caseInsensitiveKeys([
  "body",
  "senderNumber",
  "recipients",
  "requestedSendTime",
  "sendersReference",
  "conditionEndpoint",
  "ignoreReservation",
  "resourceId",
  "resourceAction",
]);
const present = (v: unknown) => v !== undefined && v !== null && v !== "";

/**
 * One recipient (Altinn's RecipientRules for SMS): a national identity number or an organisation
 * number stands alone; otherwise a mobile number is required. `emailAddress` is ignored for SMS
 * orders except that it may not accompany a nin or an organisation number.
 */
export function checkSmsRecipient(r: unknown, add: (message: string) => void): SmsRecipient | null {
  if (typeof r !== "object" || r === null || Array.isArray(r)) return (add(SMS_TEXTS.recipientIdentifier), null);
  const o = RECIPIENT_KEYS(r) as Record<string, unknown>;
  const [mobile, nin, org, email] = [
    o.mobileNumber,
    o.nationalIdentityNumber,
    o.organizationNumber,
    o.emailAddress,
  ].map(present);
  if (!mobile && !nin && !org) return (add(SMS_TEXTS.recipientIdentifier), null);
  if (nin && (email || mobile || org)) return (add(SMS_TEXTS.ninCombined), null);
  if (org && (email || mobile || nin)) return (add(SMS_TEXTS.orgCombined), null);
  if (nin) {
    const v = o.nationalIdentityNumber;
    if (typeof v !== "string" || !/^\d{11}$/.test(v)) return (add(SMS_TEXTS.nin), null);
    return { nationalIdentityNumber: v };
  }
  if (org) {
    const v = o.organizationNumber;
    if (typeof v !== "string" || !/^\d{9}$/.test(v)) return (add(SMS_TEXTS.orgNo), null);
    return { organizationNumber: v };
  }
  const v = o.mobileNumber;
  if (typeof v !== "string" || v.length > 64 || !isValidMobileNumber(v)) return (add(SMS_TEXTS.mobile), null);
  // Stored and sent as given (reference §1.1).
  return { mobileNumber: v };
}

export function smsOrderFields(now: Date, insecureEndpoints = false) {
  return z
    .object({
      body: z.string({ error: SMS_TEXTS.body }).refine((s) => s.trim().length > 0, { message: SMS_TEXTS.body }),
      senderNumber: z.string({ error: SMS_TEXTS.senderNumber }).max(100, { message: SMS_TEXTS.senderNumber }).nullish(),
      recipients: z
        .array(z.unknown(), { error: SMS_TEXTS.recipients })
        .min(1, { message: SMS_TEXTS.recipients })
        .transform((list, ctx) => {
          const out: SmsRecipient[] = [];
          list.forEach((r, i) => {
            const checked = checkSmsRecipient(r, (message) => ctx.addIssue({ code: "custom", message, path: [i] }));
            if (checked) out.push(checked);
          });
          return out;
        }),
      requestedSendTime: z
        .string({ error: SMS_TEXTS.timeZone })
        .nullish()
        .transform((v, ctx): string => {
          if (v === undefined || v === null || v.trim() === "") return now.toISOString();
          if (!hasTimeZone(v)) {
            ctx.addIssue({ code: "custom", message: SMS_TEXTS.timeZone });
            return z.NEVER;
          }
          const at = Date.parse(v.trim());
          if (at < now.getTime() - FIVE_MINUTES_MS) {
            ctx.addIssue({ code: "custom", message: SMS_TEXTS.future });
            return z.NEVER;
          }
          return new Date(at).toISOString();
        }),
      sendersReference: z
        .string({ error: SMS_TEXTS.sendersReference })
        .max(1000, { message: SMS_TEXTS.sendersReference })
        .nullish(),
      conditionEndpoint: z
        .string({ error: SMS_TEXTS.conditionEndpoint })
        .refine((s) => s.length <= 2000 && isAllowedDestination(s, insecureEndpoints), {
          message: SMS_TEXTS.conditionEndpoint,
        })
        .nullish(),
      ignoreReservation: z.boolean({ error: SMS_TEXTS.ignoreReservation }).nullish(),
      resourceId: z
        .string({ error: SMS_TEXTS.resourceId })
        .regex(RESOURCE_ID, { message: SMS_TEXTS.resourceId })
        .nullish(),
      resourceAction: z.string({ error: SMS_TEXTS.resourceActionBlank }).nullish(),
    })
    .superRefine((o, ctx) => {
      if (o.resourceAction === undefined || o.resourceAction === null) return;
      if (!o.resourceId)
        ctx.addIssue({ code: "custom", message: SMS_TEXTS.resourceActionWithoutId, path: ["resourceAction"] });
      else if (o.resourceAction.trim() === "")
        ctx.addIssue({ code: "custom", message: SMS_TEXTS.resourceActionBlank, path: ["resourceAction"] });
    });
}

export function smsOrderRequestSchema(now: Date, insecureEndpoints = false) {
  return z.preprocess(ORDER_KEYS, smsOrderFields(now, insecureEndpoints));
}

export type SmsOrderRequest = z.output<ReturnType<typeof smsOrderRequestSchema>>;
