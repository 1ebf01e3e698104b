// Issue 11 point 6: every operation in /openapi.json has its request and response schemas with
// examples, and every error is problem+json. A route registered without them fails here.
import { describe, expect, it } from "vitest";
import { documentedRoutes, documentedSchemas } from "../../src/http/openapi";
import { LEGACY_BODIES, LEGACY_BODY_EXAMPLES } from "../../src/http/openapi-responses";
import { call } from "../helpers/http";

type Media = Record<string, { schema?: any }>;
type Op = {
  requestBody?: { content: Media };
  responses: Record<string, { description: string; content?: Media; "x-no-body"?: boolean }>;
};
type Doc = { paths: Record<string, Record<string, Op>>; components: { schemas: Record<string, any> } };

/** Statuses that carry no body at all. */
const NO_BODY = new Set(["204", "304"]);

const examplesOf = (schema: any): unknown[] | undefined =>
  schema?.examples ?? (schema?.items?.examples ? [[schema.items.examples[0]]] : undefined);

async function doc(): Promise<Doc> {
  return (await call("/openapi.json")).json<Doc>();
}

function operations(d: Doc): [string, Op][] {
  return Object.entries(d.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => [`${method} ${path}`, op] as [string, Op]),
  );
}

describe("/openapi.json is complete", () => {
  it("gives every 2xx a body schema with an example (or a no-body status), in its own media type", async () => {
    const missing: string[] = [];
    for (const [name, op] of operations(await doc())) {
      const success = Object.entries(op.responses).filter(([code]) => code.startsWith("2"));
      if (!success.length) missing.push(`${name}: no 2xx`);
      for (const [code, r] of success) {
        // 204, or an answer the route documents as having no body at all.
        if (NO_BODY.has(code) || r["x-no-body"]) continue;
        const media = Object.entries(r.content ?? {});
        if (!media.length) missing.push(`${name} ${code}: no content`);
        for (const [type, m] of media) {
          if (!m.schema) missing.push(`${name} ${code} ${type}: no schema`);
          else if (!examplesOf(m.schema)?.length) missing.push(`${name} ${code} ${type}: no example`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it("gives every request body a schema with an example", async () => {
    const missing: string[] = [];
    for (const [name, op] of operations(await doc())) {
      if (!op.requestBody) continue;
      for (const [type, m] of Object.entries(op.requestBody.content)) {
        if (!m.schema) missing.push(`${name} ${type}: no schema`);
        else if (!examplesOf(m.schema)?.length) missing.push(`${name} ${type}: no example`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("documents a request body on every POST and PUT that reads one", async () => {
    const bodyless = operations(await doc())
      .filter(([name, op]) => /^(post|put) /.test(name) && !op.requestBody)
      .map(([name]) => name);
    // These take no body: pushing an event again, recovering a subscription's pushes, cancelling an order.
    expect(bodyless.sort()).toEqual([
      "post /events/api/v1/subscriptions/{id}/deliveries/{eventId}/redeliver",
      "post /events/api/v1/subscriptions/{id}/recover",
      "put /notifications/api/v1/orders/{id}/cancel",
    ]);
  });

  it("answers every 4xx and 5xx with problem+json, Altinn's coded problem where /future/ uses one", async () => {
    const d = await doc();
    const wrong: string[] = [];
    for (const [name, op] of operations(d)) {
      for (const [code, r] of Object.entries(op.responses)) {
        if (Number(code) < 400) continue;
        const types = Object.keys(r.content ?? {});
        // The SMS gateway's delivery-report endpoint speaks the gateway's protocol: plain text errors.
        const expected = name.includes("/sms/reports") ? ["text/plain"] : ["application/problem+json"];
        if (JSON.stringify(types) !== JSON.stringify(expected)) wrong.push(`${name} ${code}: ${types.join(",")}`);
      }
    }
    expect(wrong).toEqual([]);
    const coded = (path: string, method: string, code: string) =>
      d.paths[path]![method]!.responses[code]!.content!["application/problem+json"]!.schema;
    const future = "/notifications/api/v1/future";
    expect(coded(`${future}/orders`, "post", "422").examples[0].code).toBe("NOT-00001");
    expect(coded(`${future}/shipment/{id}`, "get", "404").examples[0].code).toBe("NOT-00003");
    expect(coded(`${future}/orders/instant/sms`, "post", "503").examples[0].code).toBe("NOT-00004");
    expect(coded(`${future}/orders`, "post", "400")).toEqual({ $ref: "#/components/schemas/Problem" });
  });

  it("gives the streams and the gateway's reply their own media types", async () => {
    const d = await doc();
    const live = d.paths["/events/api/v1/subscriptions/{id}/live"]!.get!.responses["200"]!.content!;
    expect(Object.keys(live)).toEqual(["text/event-stream"]);
    const reports = d.paths["/notifications/api/v1/sms/reports"]!.post!;
    expect(Object.keys(reports.responses["200"]!.content!)).toEqual(["application/xml"]);
    expect(Object.keys(reports.requestBody!.content)).toEqual(["application/xml"]);
  });

  it("documents the /future/ order body with the schema the handler validates with", async () => {
    const d = await doc();
    const body = d.paths["/notifications/api/v1/future/orders"]!.post!.requestBody!.content["application/json"]!.schema;
    expect(body.required).toEqual(expect.arrayContaining(["idempotencyId", "recipient"]));
    expect(Object.keys(body.properties.recipient.properties)).toEqual(
      expect.arrayContaining(["recipientEmail", "recipientSms", "recipientPerson", "recipientOrganization"]),
    );
    const feed = d.paths["/notifications/api/v1/future/shipment/feed"]!.get as Op & { parameters: { name: string }[] };
    expect(feed.parameters.map((p) => p.name)).toEqual(["seq", "pageSize", "orderBy"]);
    const person = body.properties.recipient.properties.recipientPerson;
    expect(person.properties.channelSchema.enum).toEqual(
      expect.arrayContaining(["Email", "Sms", "EmailPreferred", "SmsPreferred", "EmailAndSms"]),
    );
  });
});

describe("the examples in /openapi.json", () => {
  it("names only routes that exist in its tables of request bodies and their examples", () => {
    const routes = new Set(documentedRoutes());
    const keys = [...Object.keys(LEGACY_BODIES), ...Object.keys(LEGACY_BODY_EXAMPLES)];
    expect(keys.filter((k) => !routes.has(k))).toEqual([]);
  });

  it("each validates against the zod schema it documents", () => {
    const schemas = documentedSchemas();
    expect(schemas.length).toBeGreaterThan(40);
    const failures: string[] = [];
    for (const { name, schema, examples } of schemas) {
      expect(examples.length, name).toBeGreaterThan(0);
      for (const example of examples) {
        const r = schema.safeParse(example);
        if (!r.success) failures.push(`${name}: ${JSON.stringify(r.error.issues).slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
