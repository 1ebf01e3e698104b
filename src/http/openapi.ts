import { z } from "zod";
import { LEGACY_RESPONSES } from "./openapi-responses";
import { problemSchema } from "./problem-schema";

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
  /** The success answer's body (the lowest 2xx in `responses`), with examples in its `.meta`. */
  response?: z.ZodType;
  /** Which credentials the route takes. */
  security?: ("bearer" | "platformAccessToken")[];
}

const docs: RouteDoc[] = [];

export function document(doc: RouteDoc): void {
  if (!docs.some((d) => d.method === doc.method && d.path === doc.path)) docs.push(doc);
}

function jsonSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" });
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

/** Success answers carry their schema as JSON; errors are problem+json (SPEC §1). */
function responseObjects(d: RouteDoc): Record<string, unknown> {
  const schema = d.response ?? LEGACY_RESPONSES[`${d.method} ${d.path}`];
  const success = Object.keys(d.responses)
    .map(Number)
    .filter((c) => c >= 200 && c < 300)
    .sort()[0];
  return Object.fromEntries(
    Object.entries(d.responses).map(([code, description]) => {
      const c = Number(code);
      if (c >= 400)
        return [
          code,
          {
            description,
            content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
          },
        ];
      if (c === success && schema)
        return [code, { description, content: { "application/json": { schema: jsonSchema(schema) } } }];
      return [code, { description }];
    }),
  );
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
    if (d.body) {
      const schema = jsonSchema(d.body);
      op.requestBody = {
        required: true,
        content: Object.fromEntries((d.bodyTypes ?? ["application/json"]).map((t) => [t, { schema }])),
      };
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
