import { z } from "zod";

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

export function openApiDocument(serverUrl: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const d of docs) {
    const path = d.path.replace(/:([A-Za-z]+)/g, "{$1}");
    const pathParams = [...d.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    const op: Record<string, unknown> = {
      summary: d.summary,
      tags: [d.tag],
      parameters: [...pathParams, ...(d.query ? queryParameters(d.query) : [])],
      responses: Object.fromEntries(Object.entries(d.responses).map(([code, description]) => [code, { description }])),
    };
    if (d.security) op.security = d.security.map((s) => ({ [s]: [] }));
    if (d.body) {
      const schema = jsonSchema(d.body);
      op.requestBody = { required: true, content: Object.fromEntries((d.bodyTypes ?? ["application/json"]).map((t) => [t, { schema }])) };
    }
    (paths[path] ??= {})[d.method] = op;
  }
  return {
    openapi: "3.1.0",
    info: { title: "Varsel", version: "1.0.0", description: "Altinn Events v1 and Notifications v1 (email) compatible API." },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        platformAccessToken: { type: "apiKey", in: "header", name: "PlatformAccessToken" },
      },
    },
    paths,
  };
}
