/**
 * `POST /future/orders` (SPEC §5.5, reference §2.1–§2.2) as zod schemas, pure: Altinn's exact texts,
 * keyed by C# property paths (`Recipient.RecipientEmail.Settings.Subject`, `Reminders[0].DelayDays`).
 * Property names match case-insensitively (one preprocessing step, `caseInsensitive`); enum values
 * too, and enums also take their integer values (`enumOf`). Rules that join two fields (channel
 * schema and settings, delayDays xor requestedSendTime, resourceAction with resourceId) are
 * `superRefine`s on the object that holds both; the clock is passed in. The same schema documents
 * the body in /openapi.json.
 */
import { z } from "zod";
import { NIN, ORG_NO } from "../../contacts/schemas";
import { caseInsensitive, propertyPath, zodErrors } from "../../http/validate";
import { isValidEmail } from "../../lib/email-address";
import { isOffsetDateTime } from "../../lib/time";
import { checkDestination } from "../../net/destination";
import { RESOURCE_URN } from "../../resources/ids";
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
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Errors };
type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
export const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");
const absent = (v: unknown) => v === undefined || v === null;
/** Runs an object's rule whenever the value is an object, even when some of its fields failed. */
export const whenObject = { when: (p: { value: unknown }) => isObj(p.value) };

/** A check giving one message (or none) for a value: `.superRefine(rule(v => ...))`. */
/** Reminders one order may carry. */
const MAX_REMINDERS = 50;

export function rule<T>(message: (v: T) => string | null) {
  return (v: T, ctx: z.RefinementCtx) => {
    const m = message(v);
    if (m !== null) ctx.addIssue({ code: "custom", message: m });
  };
}

/** A string that is not blank, else `message` (also for a missing or non-string value). */
export const nonBlank = (message: string) =>
  z.string({ error: message }).superRefine(rule((s) => (s.trim() ? null : message)));

/** An optional string of at most `max` characters, else `'Name' must be a string of at most max characters.` */
export const optText = (name: string, max: number) =>
  z
    .string({ error: FUTURE_TEXTS.text(name, max) })
    .max(max, { message: FUTURE_TEXTS.text(name, max) })
    .nullish();

/** A field whose type is documented here but whose value is checked by its object's rule (it depends on a sibling). */
function checkedByObject<T extends z.ZodType>(schema: T) {
  return schema.catch((c) => c.input as z.output<T>);
}

/** An enum by name in any case (trimmed) or by its integer value; anything else is refused with `message`. */
export function enumOf<const T extends readonly [string, ...string[]]>(
  names: T,
  values: readonly number[],
  message: string,
) {
  return z
    .preprocess(
      (v) => {
        if (typeof v === "number" && Number.isInteger(v)) return names[values.indexOf(v)] ?? v;
        if (typeof v === "string") return names.find((n) => n.toLowerCase() === v.trim().toLowerCase()) ?? v;
        return v;
      },
      z.enum(names, { error: message }),
    )
    .describe(`One of ${names.join(", ")} in any case, or its number ${values.join(", ")}`);
}

/** An offset date-time not before `now`, else the text for the missing zone or the past. */
export function sendTimeProblem(v: string, now: Date, tzText: string, pastText: string): string | null {
  if (!isOffsetDateTime(v.trim())) return tzText;
  const at = Date.parse(v.trim());
  if (Number.isNaN(at)) return tzText;
  return at < now.getTime() ? pastText : null;
}
const iso = (v: string) => new Date(Date.parse(v.trim())).toISOString();

/** Adds calendar days in UTC (reference §5.1: main time + delayDays). */
export function reminderTime(main: string, delayDays: number): string {
  const d = new Date(main);
  d.setUTCDate(d.getUTCDate() + delayDays);
  return d.toISOString();
}

/** Altinn's syntax rules on a condition endpoint, then the one destination rule (SPEC §7.3). */
function conditionProblem(insecure: boolean) {
  return (v: string): string | null => {
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      return FUTURE_TEXTS.conditionUri;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return FUTURE_TEXTS.conditionScheme;
    return checkDestination(v, insecure).ok ? null : FUTURE_TEXTS.conditionDestination;
  };
}
const conditionEndpoint = (insecure: boolean) =>
  z
    .string({ error: FUTURE_TEXTS.conditionUri })
    .superRefine(rule(conditionProblem(insecure)))
    .nullish()
    .describe("Asked (GET) before sending; `true` sends, `false` skips");

const contentType = () => enumOf(["Plain", "Html"], [0, 1], FUTURE_TEXTS.contentType).nullish();

/** `emailSettings`; `typeError` when it is not an object (null where it is required). */
function emailSettings(typeError: string) {
  return z
    .object(
      {
        senderEmailAddress: z
          .string({ error: FUTURE_TEXTS.sender })
          .superRefine(rule((s) => (isValidEmail(s.trim()) ? null : FUTURE_TEXTS.sender)))
          .nullish(),
        subject: nonBlank(FUTURE_TEXTS.subject).superRefine(
          rule((s) => (s.length > 2000 ? FUTURE_TEXTS.text("Subject", 2000) : null)),
        ),
        body: nonBlank(FUTURE_TEXTS.emailBody),
        contentType: contentType(),
        sendingTimePolicy: enumOf(["Anytime", "Daytime"], [1, 2], FUTURE_TEXTS.emailPolicy)
          .superRefine(rule((p) => (p === "Daytime" ? FUTURE_TEXTS.emailPolicy : null)))
          .nullish(),
      },
      { error: typeError },
    )
    .transform(
      (s): EmailSettings => ({
        senderEmailAddress: s.senderEmailAddress?.trim() || null,
        // CR/LF sequences in the subject become one space (reference §2.1).
        subject: s.subject.replace(/[\r\n]+/g, " "),
        body: s.body,
        contentType: s.contentType ?? "Plain",
      }),
    );
}

/** `smsSettings`; `typeError` when it is not an object. SMS default to Daytime (reference §2.1). */
function smsSettings(typeError: string) {
  return z
    .object(
      {
        sender: optText("Sender", 100),
        body: nonBlank(FUTURE_TEXTS.smsBody),
        sendingTimePolicy: enumOf(["Anytime", "Daytime"], [1, 2], FUTURE_TEXTS.smsPolicy).nullish(),
      },
      { error: typeError },
    )
    .transform(
      (s): SmsSettings => ({
        sender: s.sender?.trim() || null,
        body: s.body,
        sendingTimePolicy: s.sendingTimePolicy ?? "Daytime",
      }),
    );
}

/** Which settings a channel schema needs, with the text when they are missing (reference §2.2). */
const NEEDS: Record<ChannelSchema, { email?: string; sms?: string }> = {
  Email: { email: FUTURE_TEXTS.emailOnly },
  Sms: { sms: FUTURE_TEXTS.smsOnly },
  EmailPreferred: { email: FUTURE_TEXTS.preferredEmail, sms: FUTURE_TEXTS.preferredSms },
  SmsPreferred: { email: FUTURE_TEXTS.preferredEmail, sms: FUTURE_TEXTS.preferredSms },
  EmailAndSms: { email: FUTURE_TEXTS.bothEmail, sms: FUTURE_TEXTS.bothSms },
};

/** The fields of a looked-up recipient (person, organisation). */
const lookedUpFields = {
  channelSchema: enumOf(CHANNEL_SCHEMAS, [0, 1, 2, 3, 4], FUTURE_TEXTS.channel),
  emailSettings: emailSettings(FUTURE_TEXTS.exactlyOne).nullish(),
  smsSettings: smsSettings(FUTURE_TEXTS.exactlyOne).nullish(),
  resourceId: z
    .string({ error: FUTURE_TEXTS.resourceId })
    .regex(RESOURCE_URN, { message: FUTURE_TEXTS.resourceId })
    .nullish(),
  resourceAction: checkedByObject(z.string().nullish()),
};
type LookedUpIn = z.output<ReturnType<typeof z.object<typeof lookedUpFields>>>;

/** The channel schema's settings, and resourceAction only with a resourceId. */
function lookedUpRule(r: LookedUpIn, ctx: z.RefinementCtx): void {
  const needs = (CHANNEL_SCHEMAS as readonly unknown[]).includes(r.channelSchema) ? NEEDS[r.channelSchema] : {};
  if (needs.email && !isObj(r.emailSettings))
    ctx.addIssue({ code: "custom", message: needs.email, path: ["emailSettings"] });
  if (needs.sms && !isObj(r.smsSettings)) ctx.addIssue({ code: "custom", message: needs.sms, path: ["smsSettings"] });
  const action: unknown = r.resourceAction;
  if (absent(action)) return;
  if (blank(r.resourceId))
    ctx.addIssue({ code: "custom", message: FUTURE_TEXTS.actionWithoutId, path: ["resourceAction"] });
  else if (typeof action !== "string" || action.trim() === "")
    ctx.addIssue({ code: "custom", message: FUTURE_TEXTS.actionBlank, path: ["resourceAction"] });
}

const lookedUp = (r: LookedUpIn): LookedUp => ({
  channelSchema: r.channelSchema,
  emailSettings: r.emailSettings ?? null,
  smsSettings: r.smsSettings ?? null,
  resourceId: r.resourceId ?? null,
});

const recipientEmail = z
  .object(
    {
      emailAddress: z
        .string({ error: FUTURE_TEXTS.email })
        .superRefine(rule((s) => (isValidEmail(s.trim()) ? null : FUTURE_TEXTS.email))),
      emailSettings: emailSettings(FUTURE_TEXTS.emailSettingsNull),
    },
    { error: FUTURE_TEXTS.exactlyOne },
  )
  .transform(
    (r): FutureRecipient => ({ kind: "email", emailAddress: r.emailAddress.trim(), emailSettings: r.emailSettings }),
  );

const phoneText = (v: unknown) => (blank(v) ? FUTURE_TEXTS.phoneEmpty : FUTURE_TEXTS.phone);
const recipientSms = z
  .object(
    {
      phoneNumber: z
        .string({ error: (iss) => phoneText(iss.input) })
        .superRefine(
          rule((s) =>
            blank(s) ? FUTURE_TEXTS.phoneEmpty : s.length > 64 || !isValidMobileNumber(s) ? FUTURE_TEXTS.phone : null,
          ),
        ),
      smsSettings: smsSettings(FUTURE_TEXTS.smsSettingsNull),
    },
    { error: FUTURE_TEXTS.exactlyOne },
  )
  // Stored and sent as given (reference §1.1).
  .transform((r): FutureRecipient => ({ kind: "sms", phoneNumber: r.phoneNumber, smsSettings: r.smsSettings }));

const recipientPerson = z
  .object(
    {
      nationalIdentityNumber: z.string({ error: FUTURE_TEXTS.nin }).regex(NIN, { message: FUTURE_TEXTS.nin }),
      // Anything but `true` is false, as before: never a reason to refuse the order.
      ignoreReservation: z.boolean().nullish().catch(null),
      ...lookedUpFields,
    },
    { error: FUTURE_TEXTS.exactlyOne },
  )
  .superRefine(lookedUpRule, whenObject)
  .transform(
    (r): FutureRecipient => ({
      kind: "person",
      nationalIdentityNumber: r.nationalIdentityNumber,
      ignoreReservation: r.ignoreReservation === true,
      ...lookedUp(r),
    }),
  );

const orgText = (v: unknown) => (blank(v) ? FUTURE_TEXTS.orgEmpty : FUTURE_TEXTS.orgNo);
const recipientOrganization = z
  .object(
    {
      orgNumber: z
        .string({ error: (iss) => orgText(iss.input) })
        .superRefine(rule((s) => (blank(s) ? FUTURE_TEXTS.orgEmpty : ORG_NO.test(s) ? null : FUTURE_TEXTS.orgNo))),
      ...lookedUpFields,
    },
    { error: FUTURE_TEXTS.exactlyOne },
  )
  .superRefine(lookedUpRule, whenObject)
  .transform((r): FutureRecipient => ({ kind: "organization", orgNumber: r.orgNumber, ...lookedUp(r) }));

const VARIANTS = [
  "recipientEmail",
  "recipientSms",
  "recipientPerson",
  "recipientOrganization",
  "recipientExternalIdentity",
] as const;

/** Exactly one recipient variant (blank ones do not count); only that one is validated. */
const recipient = z.preprocess(
  (v, ctx) => {
    if (!isObj(v)) return v;
    const given = VARIANTS.filter((k) => !blank(v[k]));
    if (given.length !== 1) ctx.addIssue({ code: "custom", message: FUTURE_TEXTS.exactlyOne });
    else if (given[0] === "recipientExternalIdentity")
      ctx.addIssue({ code: "custom", message: FUTURE_TEXTS.externalIdentity, path: [given[0]] });
    else return { [given[0]!]: v[given[0]!] };
    return v;
  },
  z
    .object(
      {
        recipientEmail: recipientEmail.optional(),
        recipientSms: recipientSms.optional(),
        recipientPerson: recipientPerson.optional(),
        recipientOrganization: recipientOrganization.optional(),
        recipientExternalIdentity: z
          .unknown()
          .optional()
          .describe("Not supported: Varsel has no profile register for self-identified users"),
      },
      { error: (iss) => (absent(iss.input) ? FUTURE_TEXTS.recipientMissing : FUTURE_TEXTS.exactlyOne) },
    )
    .describe("Exactly one of the recipient kinds")
    .transform(
      (r) => (r.recipientEmail ?? r.recipientSms ?? r.recipientPerson ?? r.recipientOrganization) as FutureRecipient,
    ),
);

/** delayDays xor requestedSendTime, each valid; the reminder's own fields are checked regardless. */
function reminderRule(now: Date) {
  return (r: { delayDays?: unknown; requestedSendTime?: unknown }, ctx: z.RefinementCtx) => {
    const { delayDays: delay, requestedSendTime: time } = r;
    if (absent(delay) === absent(time)) ctx.addIssue({ code: "custom", message: FUTURE_TEXTS.reminderWhen });
    else if (!absent(delay)) {
      if (typeof delay !== "number" || !Number.isInteger(delay) || delay < 1 || delay > 3650)
        ctx.addIssue({ code: "custom", message: FUTURE_TEXTS.delayDays, path: ["delayDays"] });
    } else {
      const m =
        typeof time === "string"
          ? sendTimeProblem(time, now, FUTURE_TEXTS.reminderTimeZone, FUTURE_TEXTS.reminderNotBeforeNow)
          : FUTURE_TEXTS.reminderTimeZone;
      if (m) ctx.addIssue({ code: "custom", message: m, path: ["requestedSendTime"] });
    }
  };
}

function reminder(now: Date, insecure: boolean) {
  return z
    .object(
      {
        delayDays: checkedByObject(z.number().int().min(1).max(3650).nullish()).describe(
          "Days after the main send time; or requestedSendTime",
        ),
        requestedSendTime: checkedByObject(z.string().nullish()).describe("With a time zone; or delayDays"),
        sendersReference: optText("SendersReference", 1000),
        conditionEndpoint: conditionEndpoint(insecure),
        recipient,
      },
      { error: FUTURE_TEXTS.reminderWhen },
    )
    .superRefine(reminderRule(now), whenObject);
}

const EXAMPLE = {
  idempotencyId: "case-4711-letter",
  sendersReference: "case-4711",
  requestedSendTime: "2026-12-01T08:00:00+01:00",
  recipient: {
    recipientEmail: {
      emailAddress: "kari.nordmann@example.no",
      emailSettings: { subject: "Nytt brev", body: "Hei $recipientName$, du har fått et brev.", contentType: "Plain" },
    },
  },
  reminders: [
    {
      delayDays: 7,
      recipient: {
        recipientPerson: {
          nationalIdentityNumber: "01019012345",
          channelSchema: "SmsPreferred",
          emailSettings: { subject: "Påminnelse", body: "Du har et ulest brev." },
          smsSettings: { body: "Du har et ulest brev.", sendingTimePolicy: "Daytime" },
        },
      },
    },
  ],
};

/** The order chain's body, checked against the clock; also its OpenAPI description (any `now`). */
export function chainRequestSchema(now: Date, insecureEndpoints: boolean) {
  const fields = z
    .object(
      {
        idempotencyId: z
          .string({ error: FUTURE_TEXTS.idempotencyId })
          .superRefine(
            rule((s) =>
              s.trim() === ""
                ? FUTURE_TEXTS.idempotencyId
                : s.length > 200
                  ? FUTURE_TEXTS.text("IdempotencyId", 200)
                  : null,
            ),
          ),
        requestedSendTime: z
          .string({ error: FUTURE_TEXTS.timeZone })
          .superRefine(rule((s) => sendTimeProblem(s, now, FUTURE_TEXTS.timeZone, FUTURE_TEXTS.notBeforeNow)))
          .nullish()
          .describe("With a time zone; absent: now"),
        sendersReference: optText("SendersReference", 1000),
        conditionEndpoint: conditionEndpoint(insecureEndpoints),
        recipient,
        dialogportenAssociation: z.preprocess(
          // Anything but an object is ignored, as before.
          (v) => (isObj(v) ? v : null),
          z
            .object({
              dialogId: optText("DialogId", 200),
              transmissionId: optText("TransmissionId", 200),
            })
            .nullable(),
        ),
        reminders: z.preprocess(
          // More than 50: one error, and only the first 50 are looked at (a 256 KB body of `{}`s
          // would otherwise answer one error per element, megabytes of them).
          (v, ctx) => {
            if (!Array.isArray(v) || v.length <= MAX_REMINDERS) return v;
            ctx.addIssue({ code: "custom", message: "At most 50 reminders are accepted.", input: v });
            return v.slice(0, MAX_REMINDERS);
          },
          z.array(reminder(now, insecureEndpoints), { error: "'Reminders' must be an array." }).nullish(),
        ),
      },
      { error: "The request body must be a JSON object." },
    )
    .meta({ examples: [EXAMPLE] });
  return caseInsensitive(
    fields.transform((o): ChainRequest => {
      const requested = o.requestedSendTime ? iso(o.requestedSendTime) : now.toISOString();
      const dp = o.dialogportenAssociation;
      return {
        idempotencyId: o.idempotencyId,
        main: {
          requestedSendTime: requested,
          sendersReference: o.sendersReference ?? null,
          conditionEndpoint: o.conditionEndpoint ?? null,
          recipient: o.recipient,
        },
        reminders: (o.reminders ?? []).map((r) => ({
          requestedSendTime:
            typeof r.delayDays === "number" ? reminderTime(requested, r.delayDays) : iso(r.requestedSendTime as string),
          sendersReference: r.sendersReference ?? null,
          conditionEndpoint: r.conditionEndpoint ?? null,
          recipient: r.recipient,
        })),
        dialogportenAssociation: dp
          ? {
              ...(dp.dialogId != null ? { dialogId: dp.dialogId } : {}),
              ...(dp.transmissionId != null ? { transmissionId: dp.transmissionId } : {}),
            }
          : null,
      };
    }),
  );
}

/** A zod path as Altinn's C# property path: a direct recipient's settings are `Settings`. */
export function futureErrorKey(path: readonly PropertyKey[]): string {
  return propertyPath(
    path.map((p, i) =>
      (p === "emailSettings" && path[i - 1] === "recipientEmail") ||
      (p === "smsSettings" && path[i - 1] === "recipientSms")
        ? "settings"
        : p,
    ),
  );
}

/** Validates with one of the /future/ schemas: the value, or Altinn's errors by C# property path. */
export function parseFuture<S extends z.ZodType>(
  schema: S,
  body: unknown,
  key: (path: readonly PropertyKey[]) => string = futureErrorKey,
): Parsed<z.output<S>> {
  const r = schema.safeParse(body);
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: zodErrors(r.error, key) };
}

/** Validates a `POST /future/orders` body against the clock. */
export function parseChainRequest(body: unknown, now: Date, insecureEndpoints: boolean): Parsed<ChainRequest> {
  return parseFuture(chainRequestSchema(now, insecureEndpoints), body);
}
