import { z } from "zod";
import { EMPTY_BODY, LEGACY_BODIES, LEGACY_BODY_EXAMPLES, LEGACY_RESPONSES } from "./openapi-responses";
import type { AltinnCode } from "./problem";
import { codedProblemSchema, problemSchema, plainErrorSchema } from "./problem-schema";

/** One documented route. Registered beside its handler so the document cannot drift from the code. */
export interface RouteDoc {
  method: "get" | "post" | "put" | "delete";
  /** itty-router style path, e.g. `/events/api/v1/subscriptions/:id`. */
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  bodyTypes?: string[];
  query?: z.ZodType;
  responses: Record<number, string>;
  /** The success answers' body (every 2xx but 204), with examples in its `.meta`; `"empty"`: none at all. */
  response?: z.ZodType | typeof EMPTY_BODY;
  /** The success body's media type when it is not JSON (`text/event-stream`, `application/xml`). */
  responseType?: string;
  /** Statuses answered with Altinn's coded problem (SPEC §5.5) rather than the ASP.NET one. */
  coded?: Partial<Record<number, AltinnCode>>;
  /** The error answers' media type when it is not problem+json (the SMS gateway's own protocol). */
  errorType?: "text/plain";
  /** Which credentials the route takes. */
  security?: ("bearer" | "platformAccessToken")[];
}

const docs: RouteDoc[] = [];

export function document(doc: RouteDoc): void {
  if (!docs.some((d) => d.method === doc.method && d.path === doc.path)) docs.push(doc);
}

type Def = { type: string; in?: z.ZodType; out?: z.ZodType; innerType?: z.ZodType };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The examples in a schema's `.meta`, or in the schema it wraps (a preprocess step, a transform). */
function metaExamples(schema: z.ZodType): unknown[] | undefined {
  const own = schema.meta()?.examples as unknown[] | undefined;
  if (own) return own;
  const d = defOf(schema);
  if (d.innerType) return metaExamples(d.innerType);
  if (d.type === "pipe" && d.in && d.out) return metaExamples(defOf(d.in).type === "transform" ? d.out : d.in);
  return undefined;
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" });
  // zod drops the examples of a schema that transforms (they may be of its output); ours are inputs.
  const examples = json.examples ?? metaExamples(schema);
  return examples ? { ...json, examples } : json;
}

function queryParameters(schema: z.ZodType): unknown[] {
  const s = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, schema]) => ({
    name,
    in: "query",
    required: s.required?.includes(name) ?? false,
    schema,
  }));
}

/** Every documented route's method and itty-router path, e.g. `get /health`. */
export function documentedRoutes(): string[] {
  return docs.map((d) => `${d.method} ${d.path}`);
}

const keyOf = (d: RouteDoc) => `${d.method} ${d.path}`;
const responseSchema = (d: RouteDoc) => d.response ?? LEGACY_RESPONSES[keyOf(d)];

/** The request body's schema (with examples) and media types, from the route or the legacy tables. */
function requestBody(d: RouteDoc): { schema: z.ZodType; documented: z.ZodType; types: string[] } | null {
  const legacy = LEGACY_BODIES[keyOf(d)];
  const schema = d.body ?? legacy?.schema;
  if (!schema) return null;
  const examples = LEGACY_BODY_EXAMPLES[keyOf(d)];
  // The documented copy carries the examples; the route's own schema stays as it validates.
  const documented = examples ? schema.meta({ ...(schema.meta() ?? {}), examples }) : schema;
  return { schema, documented, types: d.bodyTypes ?? legacy?.types ?? ["application/json"] };
}

/** The schema an error status answers with, and its media type. */
function errorSchema(d: RouteDoc, code: number): { type: string; schema: z.ZodType | null } {
  const altinn = d.coded?.[code];
  if (altinn) return { type: "application/problem+json", schema: codedProblemSchema(altinn) };
  if (d.errorType) return { type: d.errorType, schema: plainErrorSchema };
  return { type: "application/problem+json", schema: null };
}

/** Success answers carry their schema in their media type; errors are problem+json (SPEC §1). */
function responseObjects(d: RouteDoc): Record<string, unknown> {
  const schema = responseSchema(d);
  return Object.fromEntries(
    Object.entries(d.responses).map(([code, description]) => {
      const c = Number(code);
      if (c >= 400) {
        const e = errorSchema(d, c);
        const s = e.schema ? jsonSchema(e.schema) : { $ref: "#/components/schemas/Problem" };
        return [code, { description, content: { [e.type]: { schema: s } } }];
      }
      if (c < 200 || c >= 300 || c === 204 || !schema) return [code, { description }];
      if (schema === EMPTY_BODY) return [code, { description, "x-no-body": true }];
      const type = d.responseType ?? "application/json";
      return [code, { description, content: { [type]: { schema: jsonSchema(schema) } } }];
    }),
  );
}

/** A schema's examples as /openapi.json gives them; an array's are its items' (one item each). */
function examplesIn(json: Record<string, unknown>): unknown[] {
  const own = json.examples as unknown[] | undefined;
  if (own?.length) return own;
  const items = (json.items as Record<string, unknown> | undefined)?.examples as unknown[] | undefined;
  return items?.length ? items.map((i) => [i]) : [];
}

/** Every zod schema the document shows (bodies, answers, coded problems) with its examples, for tests. */
export function documentedSchemas(): { name: string; schema: z.ZodType; examples: unknown[] }[] {
  return docs.flatMap((d) => {
    const name = `${d.method} ${d.path}`;
    const out: { name: string; schema: z.ZodType; examples: unknown[] }[] = [];
    const add = (what: string, schema: z.ZodType | null | undefined, documented = schema) => {
      if (schema && documented)
        out.push({ name: `${name} ${what}`, schema, examples: examplesIn(jsonSchema(documented)) });
    };
    const body = requestBody(d);
    add("body", body?.schema, body?.documented);
    const response = responseSchema(d);
    if (response !== EMPTY_BODY) add("response", response);
    for (const code of Object.keys(d.responses).map(Number))
      if (code >= 400) add(`${code}`, errorSchema(d, code).schema);
    return out;
  });
}

export function openApiDocument(serverUrl: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const d of docs) {
    const path = d.path.replace(/:([A-Za-z]+)/g, "{$1}");
    const pathParams = [...d.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const op: Record<string, unknown> = {
      summary: d.summary,
      tags: [d.tag],
      parameters: [...pathParams, ...(d.query ? queryParameters(d.query) : [])],
      responses: responseObjects(d),
    };
    if (d.security) op.security = d.security.map((s) => ({ [s]: [] }));
    const body = requestBody(d);
    if (body) {
      const schema = jsonSchema(body.documented);
      op.requestBody = { required: true, content: Object.fromEntries(body.types.map((t) => [t, { schema }])) };
    }
    (paths[path] ??= {})[d.method] = op;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Varsel",
      version: "1.0.0",
      description: "Altinn Events v1 and Notifications v1 (email) compatible API.",
    },
    servers: [{ url: serverUrl }],
    components: {
      schemas: { Problem: jsonSchema(problemSchema) },
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        platformAccessToken: { type: "apiKey", in: "header", name: "PlatformAccessToken" },
      },
    },
    paths,
  };
}
