import { z } from "zod";
import { caseInsensitiveKeys } from "../http/validate";

const filter = z.string().min(1).max(2048).nullish();

/** Property names match case-insensitively, as ASP.NET's JSON binding does (`endpoint` = `endPoint`). */
const canonicalKeys = caseInsensitiveKeys([
  "endPoint",
  "sourceFilter",
  "resourceFilter",
  "subjectFilter",
  "alternativeSubjectFilter",
  "typeFilter",
]);

/** `POST /subscriptions`. Field-level rules with Altinn's texts are applied in the route (SPEC §4.4). */
export const subscriptionFields = z
  .object({
    // Length and form are checked in the route, which answers with the SPEC's one text for any bad endpoint.
    endPoint: z.string().nullish(),
    sourceFilter: filter,
    resourceFilter: filter,
    subjectFilter: filter,
    alternativeSubjectFilter: filter,
    typeFilter: filter,
  })
  .meta({ description: "A subscription: where to push, and which events." });

export const subscriptionRequest = z.preprocess(canonicalKeys, subscriptionFields);

export type SubscriptionRequest = z.output<typeof subscriptionRequest>;

/** A subscription id in a path: an integer (at most 15 digits, so always a safe integer). */
export const SUBSCRIPTION_ID = /^\d{1,15}$/;

export const deliveriesQuery = z.object({
  status: z
    .enum(["pending", "delivered", "failed"], { message: "status must be one of pending, delivered, failed." })
    .optional(),
  after: z.string().max(200).optional(),
  size: z.string().max(12).optional(),
});

export const recoverQuery = z.object({
  since: z.string({ message: "The 'since' parameter is required (an RFC 3339 time)." }).max(64),
});
