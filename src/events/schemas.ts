import { z } from "zod";
import { OFFSET_DATE_TIME } from "../lib/time";
import { RESOURCE_URN } from "../resources/ids";
import { PATTERN_TOO_LONG, TOO_MANY_WILDCARDS, withinPatternLength, withinWildcardBound } from "../lib/wildcard";

const scalar = z.union([z.string().max(4096), z.number(), z.boolean()]);
export { RESOURCE_URN };
export const ALTERNATIVE_SUBJECT = /^\/(person\/\d{11}|organisation\/\d{9})$/;

const rfc3339 = z.string().regex(OFFSET_DATE_TIME, "Must be an RFC 3339 timestamp with an offset.");
/** The `person` header of the app reads: a national identity number. */
export const PERSON_HEADER = /^\d{11}$/;

/**
 * The generic CloudEvent (SPEC §4.1). `checkGenericEvent` first applies Altinn's exact error
 * texts, then this schema checks the full shape, so the OpenAPI document and the validation agree.
 */
export const genericEventDoc = z
  .object({
    id: z.string().min(1),
    type: z.string().min(1),
    source: z.string().min(1).describe("Absolute URI"),
    specversion: z.literal("1.0"),
    resource: z.string().regex(RESOURCE_URN),
    time: rfc3339.optional(),
    subject: z.string().max(4096).optional(),
    alternativesubject: z.string().max(4096).optional(),
    resourceinstance: z.string().max(4096).optional(),
    datacontenttype: z.string().max(4096).optional(),
    dataschema: z.string().max(4096).optional(),
    data: z.unknown().optional(),
    data_base64: z.string().optional(),
  })
  .catchall(scalar);

/** The app event (SPEC §4.2); Varsel sets id, time, resource and resourceinstance. */
export const appEventDoc = z
  .object({
    type: z.string().min(1),
    source: z.string().describe("https://{host}/{org}/{app}/instances/{partyId}/{instanceGuid}"),
    subject: z.string().regex(/^\/party\/\d{1,18}$/),
    specversion: z.literal("1.0"),
    alternativesubject: z.string().regex(ALTERNATIVE_SUBJECT).optional(),
    data: z.unknown().optional(),
  })
  .catchall(scalar);

const typeParam = z
  .string()
  .max(500)
  .refine(withinWildcardBound, TOO_MANY_WILDCARDS)
  .refine(withinPatternLength, PATTERN_TOO_LONG);
const typeList = z.union([typeParam, z.array(typeParam).max(20, "At most 20 'type' parameters.")]).optional();
const sizeParam = z
  .string()
  .regex(/^0*[1-9]\d{0,8}$/, "The 'size' parameter must be a positive integer.")
  .optional();
const time = rfc3339.optional();

/** `GET /events` query (SPEC §4.3). */
export const eventsQuery = z
  .object({
    resource: z
      .string({ error: "The 'resource' parameter must begin with urn:altinn:resource:" })
      .startsWith("urn:altinn:resource:", "The 'resource' parameter must begin with urn:altinn:resource:")
      .max(300),
    after: z
      .string({ error: "The 'after' parameter must be defined." })
      .min(1, "The 'after' parameter must be defined.")
      .max(200),
    subject: z.string().max(500).optional(),
    alternativesubject: z.string().max(500).optional(),
    type: typeList,
    size: sizeParam,
  })
  .refine((q) => !(q.subject && q.alternativesubject), {
    message: "Only one of 'subject' or 'alternativeSubject' can be defined.",
    path: ["subject"],
  });

/** `GET /app/{org}/{app}` and `GET /app/party` queries. */
const appQueryBase = z.object({
  after: z.string().max(200).optional(),
  from: time,
  to: time,
  party: z
    .string()
    .regex(/^\d{1,18}$/, "The 'party' parameter must be a party id.")
    .optional(),
  unit: z
    .string()
    .regex(/^\d{9}$/, "The 'unit' parameter must be an organisation number.")
    .optional(),
  type: typeList,
  size: sizeParam,
});
const needsStart = (q: { after?: string; from?: string }) => Boolean(q.after || q.from);
export const appEventsQuery = appQueryBase.refine(needsStart, {
  message: "From or after must be defined.",
  path: ["from"],
});
export const partyEventsQuery = appQueryBase
  .extend({
    source: z
      .string()
      .max(2048)
      .refine(withinWildcardBound, TOO_MANY_WILDCARDS)
      .refine(withinPatternLength, PATTERN_TOO_LONG)
      .optional(),
  })
  .refine(needsStart, { message: "From or after must be defined.", path: ["from"] });
