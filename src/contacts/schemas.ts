import { z } from "zod";
import { isValidEmail } from "../lib/email-address";
import { normalizeResourceId } from "./resource-id";

export const NIN = /^\d{11}$/;
export const ORG_NO = /^\d{9}$/;
export const USER_ID = /^\d{1,18}$/;

export const ninParam = z
  .string("National identity number must be 11 digits long.")
  .regex(NIN, "National identity number must be 11 digits long.");
export const orgNoParam = z
  .string("Organization number must be 9 digits long.")
  .regex(ORG_NO, "Organization number must be 9 digits long.");
export const userIdParam = z
  .string("A user id must be 1 to 18 digits.")
  .regex(USER_ID, "A user id must be 1 to 18 digits.");

const emailAddress = (property: string) =>
  z
    .string(`'${property}' must be an e-mail address.`)
    .trim()
    .max(254, "Invalid email address format.")
    .refine(isValidEmail, "Invalid email address format.");
const mobileNumber = z
  .string("'Mobile' must be a string.")
  .trim()
  .regex(/^\+?\d{5,20}$/, "'Mobile' must be a phone number: digits with an optional leading +.");
const name = z
  .string("'Name' is required.")
  .trim()
  .min(1, "'Name' must not be empty.")
  .max(500, "'Name' must be at most 500 characters.");

export const personBodySchema = z.object({
  name,
  email: emailAddress("Email")
    .nullish()
    .transform((v) => v ?? null),
  mobile: mobileNumber.nullish().transform((v) => v ?? null),
  reserved: z.boolean("'Reserved' must be true or false.").default(false),
});

export const MAX_ORG_EMAILS = 20;
export const organizationBodySchema = z.object({
  name,
  emails: z
    .array(emailAddress("Emails"), "'Emails' must be an array of e-mail addresses.")
    .max(MAX_ORG_EMAILS, `'Emails' may hold at most ${MAX_ORG_EMAILS} addresses.`)
    .transform((list) => [...new Set(list)]),
  mobiles: z
    .array(mobileNumber, "'Mobiles' must be an array of phone numbers.")
    .max(MAX_ORG_EMAILS, `'Mobiles' may hold at most ${MAX_ORG_EMAILS} numbers.`)
    .default([])
    .transform((list) => [...new Set(list)]),
});

export const MAX_USER_RESOURCES = 200;
export const orgUserBodySchema = z.object({
  email: emailAddress("Email"),
  mobile: mobileNumber.nullish().transform((v) => v ?? null),
  resources: z
    .array(
      z.string("A resource id must be a string.").transform((v, ctx) => {
        const id = normalizeResourceId(v);
        if (!id) {
          ctx.addIssue({
            code: "custom",
            message: "A resource id must be 'urn:altinn:resource:{id}' or 'app_{org}_{app}'.",
          });
          return z.NEVER;
        }
        return id;
      }),
      "'Resources' must be an array of resource ids.",
    )
    .max(MAX_USER_RESOURCES, `'Resources' may hold at most ${MAX_USER_RESOURCES} resource ids.`)
    .default([])
    .transform((list) => [...new Set(list)]),
});

/** NDJSON lines: a PUT body plus its key. */
export const personLineSchema = personBodySchema.extend({ nin: ninParam });
export const organizationLineSchema = organizationBodySchema.extend({ orgNo: orgNoParam });
export const orgUserLineSchema = orgUserBodySchema.extend({ orgNo: orgNoParam, userId: userIdParam });

export type PersonRecord = z.output<typeof personLineSchema>;
export type OrganizationRecord = z.output<typeof organizationLineSchema>;
export type OrgUserRecord = z.output<typeof orgUserLineSchema>;
