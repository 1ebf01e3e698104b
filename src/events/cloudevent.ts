/**
 * CloudEvents 1.0 validation for Altinn's generic and app events (SPEC §4.1–4.2). Pure: the clock
 * is passed in. We validate by hand rather than with the `cloudevents` SDK because its schema
 * validator compiles code at run time, which workerd forbids (docs/decisions.md).
 */
import type { z } from "zod";
import { appResourceUrn } from "../resources/policy";
import { isOffsetDateTime } from "../lib/time";
import { ALTERNATIVE_SUBJECT, appEventDoc, genericEventDoc, RESOURCE_URN } from "./schemas";

export type CloudEvent = Record<string, unknown> & {
  id: string;
  type: string;
  source: string;
  specversion: "1.0";
  time: string;
  resource: string;
  subject?: string;
  alternativesubject?: string;
  resourceinstance?: string;
};

export type EventError =
  | { kind: "bad_request"; detail: string }
  | { kind: "validation"; errors: Record<string, string[]> };
export type Checked<T> = { ok: true; value: T } | { ok: false; error: EventError };

const bad = (detail: string): Checked<never> => ({ ok: false, error: { kind: "bad_request", detail } });

const CONTEXT_ATTRIBUTES = new Set([
  "id",
  "type",
  "source",
  "specversion",
  "time",
  "subject",
  "datacontenttype",
  "dataschema",
  "data",
  "data_base64",
]);
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

export function isRfc3339(value: string): boolean {
  return isOffsetDateTime(value);
}

export function isAbsoluteUri(value: string): boolean {
  if (value.length > 2048 || !/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

const isNonEmptyString = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/** Attribute values other than `data` must be scalars, as the CloudEvents type system says. */
function checkAttributes(input: Record<string, unknown>): Checked<null> {
  for (const [name, value] of Object.entries(input)) {
    if (name === "data") continue;
    if (!CONTEXT_ATTRIBUTES.has(name) && !EXTENSION_NAME.test(name)) {
      return bad(
        `CloudEvent attribute names must be 1 to 20 lowercase letters or digits: '${name.slice(0, 40)}' is not.`,
      );
    }
    if (value !== null && typeof value === "object")
      return bad(`CloudEvent attribute '${name}' must be a string, number or boolean.`);
    if (typeof value === "string" && value.length > 4096)
      return bad(`CloudEvent attribute '${name}' is longer than 4096 characters.`);
  }
  if (input.data !== undefined && input.data_base64 !== undefined)
    return bad("A CloudEvent has either 'data' or 'data_base64', not both.");
  if (
    input.data_base64 !== undefined &&
    (typeof input.data_base64 !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(input.data_base64))
  ) {
    return bad("CloudEvent attribute 'data_base64' must be base64.");
  }
  return { ok: true, value: null };
}

function checkOptional(input: Record<string, unknown>, now: Date): Checked<string> {
  for (const name of ["subject", "alternativesubject", "resourceinstance", "datacontenttype"]) {
    if (input[name] !== undefined && input[name] !== null && typeof input[name] !== "string")
      return bad(`CloudEvent attribute '${name}' must be a string.`);
  }
  if (input.dataschema !== undefined && !(typeof input.dataschema === "string" && isAbsoluteUri(input.dataschema)))
    return bad("CloudEvent attribute 'dataschema' must be a URI.");
  if (input.time === undefined || input.time === null) return { ok: true, value: now.toISOString() };
  if (typeof input.time !== "string" || !isRfc3339(input.time))
    return bad("CloudEvent attribute 'time' must be an RFC 3339 timestamp with an offset.");
  return { ok: true, value: input.time };
}

/** The zod schema behind the OpenAPI document has the last word on the event's shape. */
function shapeErrors(schema: z.ZodType, input: unknown): Checked<never> | null {
  const result = schema.safeParse(input);
  if (result.success) return null;
  const issue = result.error.issues[0]!;
  return bad(`CloudEvent attribute '${String(issue.path[0] ?? "$")}' is invalid: ${issue.message}`);
}

/** Drops attributes that were sent as null: CloudEvents has no null attribute values. */
function withoutNulls(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null));
}

/** A generic event for `POST /events`: the exact error texts of SPEC §4.1. */
export function checkGenericEvent(body: unknown, now: Date): Checked<CloudEvent> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return {
      ok: false,
      error: {
        kind: "validation",
        errors: { $: ["The request body must be a JSON object (a CloudEvent in structured mode)."] },
      },
    };
  }
  const input = withoutNulls(body as Record<string, unknown>);
  const missing = ["id", "type", "source", "specversion"].filter((k) => !isNonEmptyString(input[k]));
  if (missing.length) return bad(`CloudEvent is missing required attributes: ${missing.join(", ")}`);
  if (input.resource === undefined) return bad("A 'resource' property must be defined.");
  if (typeof input.resource !== "string" || !RESOURCE_URN.test(input.resource))
    return bad("'Resource' must be a valid urn.");
  if (input.specversion !== "1.0") return bad("CloudEvent 'specversion' must be '1.0'.");
  if (!isAbsoluteUri(input.source as string)) return bad("CloudEvent attribute 'source' must be an absolute URI.");
  const attrs = checkAttributes(input);
  if (!attrs.ok) return attrs;
  const time = checkOptional(input, now);
  if (!time.ok) return time;
  const shape = shapeErrors(genericEventDoc, input);
  if (shape) return shape;
  return { ok: true, value: { ...input, time: time.value } as CloudEvent };
}

/** `/party/{id}`, capturing the id (digits only): the one rule for party subjects (also the party log's name). */
export const PARTY_SUBJECT = /^\/party\/(\d{1,18})$/;
const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

export type AppEventCheck =
  | { ok: true; value: CloudEvent }
  | { ok: false; error: EventError }
  | { ok: false; error: { kind: "unauthorized"; detail: string } };

/**
 * An app event for `POST /app` (SPEC §4.2). Varsel sets id, time, resource and resourceinstance;
 * the source must name this app's instance.
 */
export function checkAppEvent(
  body: unknown,
  app: { org: string; app: string },
  now: Date,
  newId: string,
): AppEventCheck {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return { ok: false, error: { kind: "validation", errors: { $: ["The request body must be a JSON object."] } } };
  }
  const input = withoutNulls(body as Record<string, unknown>);
  // All four are required (SPEC §4.2); a missing one of them gets Altinn's one text.
  if (
    !isNonEmptyString(input.source) ||
    !isNonEmptyString(input.subject) ||
    !isNonEmptyString(input.type) ||
    input.specversion === undefined
  ) {
    return bad("Missing parameter values: source, subject and type cannot be null");
  }
  if (input.specversion !== "1.0") return bad("CloudEvent 'specversion' must be '1.0'.");
  const party = input.subject.match(PARTY_SUBJECT);
  if (!party) return bad("'Subject' must be /party/{partyId}.");
  if (
    input.alternativesubject !== undefined &&
    !(typeof input.alternativesubject === "string" && ALTERNATIVE_SUBJECT.test(input.alternativesubject))
  ) {
    return bad("'AlternativeSubject' must be /person/{11 digits} or /organisation/{9 digits}.");
  }
  const instance = input.source.match(
    new RegExp(`^https://[^/\\s]+/${app.org}/${app.app}/instances/(\\d{1,18})/(${GUID})$`),
  );
  if (!instance || !isAbsoluteUri(input.source)) {
    return {
      ok: false,
      error: {
        kind: "unauthorized",
        detail: `${app.org}/${app.app} is not authorized to create events for ${input.source.slice(0, 500)}`,
      },
    };
  }
  const { id: _ignoredId, time: _ignoredTime, ...rest } = input;
  const attrs = checkAttributes(rest);
  if (!attrs.ok) return attrs;
  const shape = shapeErrors(appEventDoc, rest);
  if (shape) return shape;
  return {
    ok: true,
    value: {
      ...rest,
      id: newId,
      time: now.toISOString(),
      specversion: "1.0",
      source: input.source,
      type: input.type,
      subject: input.subject,
      resource: appResourceUrn(app.org, app.app),
      resourceinstance: `${instance[1]}/${instance[2]}`,
    },
  };
}
