import { describe, expect, it } from "vitest";
import { documentedRoutes } from "../../src/http/openapi";
import { LEGACY_RESPONSES } from "../../src/http/openapi-responses";
import { call } from "../helpers/http";

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: any }> }> }>>;
  components: { schemas: Record<string, any> };
};

describe("/openapi.json responses", () => {
  it("gives success answers their JSON schema with examples, and every error problem+json", async () => {
    const doc = await (await call("/openapi.json")).json<Doc>();
    const sub = doc.paths["/events/api/v1/subscriptions/{id}"]!.get!.responses;
    expect(sub["200"]!.content!["application/json"]!.schema.properties.validated.type).toBe("boolean");
    expect(sub["200"]!.content!["application/json"]!.schema.examples[0].consumer).toBe("/org/ttd");
    expect(sub["404"]!.content!["application/problem+json"]!.schema).toEqual({ $ref: "#/components/schemas/Problem" });
    expect(doc.components.schemas.Problem.required).toEqual(
      expect.arrayContaining(["type", "title", "status", "traceId"]),
    );
    const list =
      doc.paths["/notifications/api/v1/list/orders"]!.get!.responses["200"]!.content!["application/json"]!.schema;
    expect(list.properties.orders.items.required).toContain("processingStatus");
    expect(list.examples).toHaveLength(1);
    expect(doc.paths["/admin/api/v1/resources"]!.get).toBeDefined();
    expect(doc.paths["/events/api/v1/subscriptions/{id}/live"]!.get).toBeDefined();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [code, r] of Object.entries(op.responses)) {
          // The SMS gateway's report endpoint answers in its own protocol: plain text (openapi-complete.test.ts).
          if (Number(code) >= 400 && !path.endsWith("/sms/reports"))
            expect(r.content?.["application/problem+json"], `${method} ${path} ${code}`).toBeDefined();
        }
      }
    }
  });

  it("names only routes that exist in its table of response schemas", () => {
    const routes = new Set(documentedRoutes());
    expect(Object.keys(LEGACY_RESPONSES).filter((k) => !routes.has(k))).toEqual([]);
  });
});
