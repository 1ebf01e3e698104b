/** The instant orders (reference §3.1–§3.2) as zod schemas, pure, with Altinn's texts; see schemas.ts for the conventions. */
import { z } from "zod";
import { caseInsensitive, propertyPath } from "../../http/validate";
import { isValidEmail } from "../../lib/email-address";
import { isValidMobileNumber } from "../../sms/phone";
import { enumOf, FUTURE_TEXTS, isObj, nonBlank, optText, type Parsed, parseFuture, rule } from "./schemas";

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

/** The fields both instant orders start with. */
const common = {
  idempotencyId: z
    .string({ error: FUTURE_TEXTS.idempotencyId })
    .superRefine(rule((s) => (s.trim() === "" || s.length > 200 ? FUTURE_TEXTS.idempotencyId : null))),
  sendersReference: optText("SendersReference", 1000),
};
const NOT_AN_OBJECT = "The request body must be a JSON object.";
const ttl = INSTANT_TEXTS.ttl;

export const instantSmsSchema = caseInsensitive(
  z
    .object(
      {
        ...common,
        recipientSms: z.object(
          {
            phoneNumber: z
              .string({ error: FUTURE_TEXTS.phone })
              .superRefine(rule((s) => (s.length > 64 || !isValidMobileNumber(s) ? FUTURE_TEXTS.phone : null))),
            timeToLiveInSeconds: z
              .number({ error: ttl })
              .int({ message: ttl })
              .min(TTL_MIN_S, { message: ttl })
              .max(TTL_MAX_S, { message: ttl }),
            // Settings that are not an object read as empty: the body is then the missing field.
            smsSettings: z.preprocess(
              (v) => (isObj(v) ? v : {}),
              z.object({ sender: optText("Sender", 100), body: nonBlank(INSTANT_TEXTS.smsBody) }),
            ),
          },
          { error: INSTANT_TEXTS.smsNull },
        ),
      },
      { error: NOT_AN_OBJECT },
    )
    .meta({
      examples: [
        {
          idempotencyId: "otp-2026-11-29-0001",
          sendersReference: "login-otp",
          recipientSms: {
            phoneNumber: "+4799999999",
            timeToLiveInSeconds: 300,
            smsSettings: { sender: "Varsel", body: "Din engangskode er 123456" },
          },
        },
      ],
    })
    .transform(
      (o): InstantSms => ({
        idempotencyId: o.idempotencyId,
        sendersReference: o.sendersReference ?? null,
        phoneNumber: o.recipientSms.phoneNumber,
        timeToLiveInSeconds: o.recipientSms.timeToLiveInSeconds,
        sender: o.recipientSms.smsSettings.sender?.trim() ? o.recipientSms.smsSettings.sender : null,
        body: o.recipientSms.smsSettings.body,
      }),
    ),
);

const address = (message: string) =>
  z.string({ error: message }).superRefine(rule((s) => (isValidEmail(s.trim()) ? null : message)));

export const instantEmailSchema = caseInsensitive(
  z
    .object(
      {
        ...common,
        recipientEmail: z.object(
          {
            emailAddress: address(FUTURE_TEXTS.email),
            emailSettings: z.object(
              {
                senderEmailAddress: address(FUTURE_TEXTS.email).nullish(),
                subject: nonBlank(INSTANT_TEXTS.subject),
                body: nonBlank(INSTANT_TEXTS.body),
                contentType: enumOf(["Plain", "Html"], [0, 1], FUTURE_TEXTS.contentType).nullish(),
              },
              { error: INSTANT_TEXTS.emailSettingsNull },
            ),
          },
          { error: INSTANT_TEXTS.emailNull },
        ),
      },
      { error: NOT_AN_OBJECT },
    )
    .meta({
      examples: [
        {
          idempotencyId: "reset-2026-11-29-0001",
          recipientEmail: {
            emailAddress: "kari.nordmann@example.no",
            emailSettings: { subject: "Tilbakestill passordet", body: "Koden din er 123456", contentType: "Plain" },
          },
        },
      ],
    })
    .transform((o): InstantEmail => {
      const s = o.recipientEmail.emailSettings;
      return {
        idempotencyId: o.idempotencyId,
        sendersReference: o.sendersReference ?? null,
        emailAddress: o.recipientEmail.emailAddress.trim(),
        senderEmailAddress: s.senderEmailAddress?.trim() ?? null,
        subject: s.subject.replace(/[\r\n]+/g, " "),
        body: s.body,
        contentType: s.contentType ?? "Plain",
      };
    }),
);

/** Instant errors keep the JSON names (`RecipientEmail.EmailSettings.Subject`). */
export const parseInstantSms = (body: unknown): Parsed<InstantSms> => parseFuture(instantSmsSchema, body, propertyPath);
export const parseInstantEmail = (body: unknown): Parsed<InstantEmail> =>
  parseFuture(instantEmailSchema, body, propertyPath);
