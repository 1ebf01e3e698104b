import { z } from "zod";
import { ORG_CODE, RESOURCE_ID } from "./ids";
import { ACTIONS } from "./policy";

export { RESOURCE_ID };
export const GRANT_SUBJECT = /^\/(org\/[a-z0-9][a-z0-9-]{0,63}|user\/\d{1,18}|organisation\/\d{9}|party\/\d{1,18})$/;

export const grantSchema = z.object({
  subject: z
    .string()
    .regex(
      GRANT_SUBJECT,
      "A grant's subject must be /org/{org}, /user/{id}, /organisation/{orgNumber} or /party/{partyId}.",
    ),
  actions: z
    .array(z.enum(ACTIONS, "Actions must be publish, subscribe, read or notify."))
    .min(1, "A grant needs at least one action.")
    .max(4),
});

export const resourceBodySchema = z.object({
  owner: z.string("'Owner' is required.").regex(ORG_CODE, "'Owner' must be an org code such as 'ttd'."),
  title: z.string("'Title' is required.").min(1, "'Title' must not be empty.").max(500),
  grants: z.array(grantSchema).max(1000).default([]),
});

export const resourceIdParam = z
  .string()
  .regex(RESOURCE_ID, "The resource id must be lowercase letters, digits, '.', '_' or '-'.");
