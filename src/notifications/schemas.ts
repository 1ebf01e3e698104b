/** zod schemas for the e-mail order API (SPEC §5.1), with Altinn's exact validation texts. */
import { z } from "zod";
import { caseInsensitiveKeys } from "../http/validate";
import { isValidEmail } from "../lib/email-address";
import { isOffsetDateTime } from "../lib/time";
import { isAllowedDestination } from "../net/destination";
import { ORDER_RESOURCE_ID } from "../resources/ids";
import { FIVE_MINUTES_MS, type ContentType, type OrderRecipient } from "./model";

export const TEXTS = {
  subject: "'Subject' must not be empty.",
  body: "'Body' must not be empty.",
  recipients: "One or more recipient is required.",
  recipientIdentifier:
    "Either a valid email address, organization number, or national identity number must be provided for each recipient.",
  nin: "National identity number must be 11 digits long.",
  orgNo: "Organization number must be 9 digits long.",
  email: "Invalid email address format.",
  timeZone: "The requested send time value must have specified a time zone.",
  future: "Send time must be in the future. Leave blank to send immediately.",
  conditionEndpoint: "The condition endpoint must be a valid URL.",
  contentType: "'ContentType' must be either Plain or Html.",
  resourceId: "ResourceId must have a valid syntax.",
  ignoreReservation: "'IgnoreReservation' must be true or false.",
  sendersReference: "'SendersReference' must be a string of at most 1000 characters.",
} as const;

export { isValidEmail };

/** `2025-01-01T10:00:00+01:00` or `...Z`: a date-time that states its offset. */
export function hasTimeZone(s: string): boolean {
  return isOffsetDateTime(s.trim());
}

const RECIPIENT_KEYS = caseInsensitiveKeys([
  "emailAddress",
  "nationalIdentityNumber",
  "organizationNumber",
  "mobileNumber",
]);
const ORDER_KEYS = caseInsensitiveKeys([
  "subject",
  "body",
  "recipients",
  "contentType",
  "requestedSendTime",
  "sendersReference",
  "resourceId",
  "ignoreReservation",
  "conditionEndpoint",
]);

const present = (v: unknown) => v !== undefined && v !== null && v !== "";

/** One recipient: exactly one identifier, each in its format. Issues are reported under `Recipients`. */
function checkRecipient(r: unknown, add: (message: string) => void): OrderRecipient | null {
  if (typeof r !== "object" || r === null || Array.isArray(r)) {
    add(TEXTS.recipientIdentifier);
    return null;
  }
  const o = RECIPIENT_KEYS(r) as Record<string, unknown>;
  const given = (["emailAddress", "nationalIdentityNumber", "organizationNumber"] as const).filter((k) =>
    present(o[k]),
  );
  if (given.length !== 1) {
    add(TEXTS.recipientIdentifier);
    return null;
  }
  const key = given[0]!;
  const value = o[key];
  if (key === "emailAddress") {
    if (typeof value !== "string" || !isValidEmail(value.trim())) return (add(TEXTS.email), null);
    return { emailAddress: value.trim() };
  }
  if (key === "nationalIdentityNumber") {
    if (typeof value !== "string" || !/^\d{11}$/.test(value)) return (add(TEXTS.nin), null);
    return { nationalIdentityNumber: value };
  }
  if (typeof value !== "string" || !/^\d{9}$/.test(value)) return (add(TEXTS.orgNo), null);
  return { organizationNumber: value };
}

const nonEmpty = (message: string) => z.string({ error: message }).refine((s) => s.trim().length > 0, { message });

/** The order body. Built per request because the send-time rule depends on the clock. */
export function orderRequestSchema(now: Date, insecureEndpoints = false) {
  return z.preprocess(ORDER_KEYS, orderFields(now, insecureEndpoints));
}

/** The order's fields (also the OpenAPI description of the body). */
export function orderFields(now: Date, insecureEndpoints = false) {
  return z.object({
    subject: nonEmpty(TEXTS.subject),
    body: nonEmpty(TEXTS.body),
    recipients: z
      .array(z.unknown(), { error: TEXTS.recipients })
      .min(1, { message: TEXTS.recipients })
      .transform((list, ctx) => {
        const out: OrderRecipient[] = [];
        list.forEach((r, i) => {
          const checked = checkRecipient(r, (message) => ctx.addIssue({ code: "custom", message, path: [i] }));
          if (checked) out.push(checked);
        });
        return out;
      }),
    contentType: z
      .string({ error: TEXTS.contentType })
      .nullish()
      .transform((v, ctx): ContentType => {
        if (v === undefined || v === null) return "Plain";
        const t = v.toLowerCase();
        if (t === "plain") return "Plain";
        if (t === "html") return "Html";
        ctx.addIssue({ code: "custom", message: TEXTS.contentType });
        return z.NEVER;
      }),
    requestedSendTime: z
      .string({ error: TEXTS.timeZone })
      .nullish()
      .transform((v, ctx): string => {
        if (v === undefined || v === null || v.trim() === "") return now.toISOString();
        if (!hasTimeZone(v)) {
          ctx.addIssue({ code: "custom", message: TEXTS.timeZone });
          return z.NEVER;
        }
        const at = Date.parse(v.trim());
        if (at < now.getTime() - FIVE_MINUTES_MS) {
          ctx.addIssue({ code: "custom", message: TEXTS.future });
          return z.NEVER;
        }
        return new Date(at).toISOString();
      }),
    sendersReference: z
      .string({ error: TEXTS.sendersReference })
      .max(1000, { message: TEXTS.sendersReference })
      .nullish(),
    resourceId: z.string({ error: TEXTS.resourceId }).regex(ORDER_RESOURCE_ID, { message: TEXTS.resourceId }).nullish(),
    ignoreReservation: z.boolean({ error: TEXTS.ignoreReservation }).nullish(),
    conditionEndpoint: z
      .string({ error: TEXTS.conditionEndpoint })
      .refine((s) => isAllowedDestination(s, insecureEndpoints), { message: TEXTS.conditionEndpoint })
      .nullish(),
  });
}

export type OrderRequest = z.output<ReturnType<typeof orderRequestSchema>>;

export const ordersQuery = z.object({
  sendersReference: z
    .string({ error: "The 'sendersReference' parameter is required." })
    .min(1, { message: "The 'sendersReference' parameter is required." }),
});
