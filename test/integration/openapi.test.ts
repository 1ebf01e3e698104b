import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";

describe("GET /openapi.json", () => {
  it("documents every foundation route from the zod schemas that validate it", async () => {
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    const doc = await res.json<{ openapi: string; paths: Record<string, Record<string, any>> }>();
    expect(doc.openapi).toBe("3.1.0");
    for (const [path, method] of [
      ["/events/api/v1/events", "post"],
      ["/events/api/v1/events", "get"],
      ["/events/api/v1/app", "post"],
      ["/events/api/v1/app/{org}/{app}", "get"],
      ["/events/api/v1/app/party", "get"],
      ["/admin/api/v1/resources/{resourceId}", "put"],
      ["/health", "get"],
    ]) {
      expect(doc.paths[path!]?.[method!], `${method} ${path}`).toBeDefined();
    }
    const publish = doc.paths["/events/api/v1/events"]!.post;
    const schema = publish.requestBody.content["application/cloudevents+json"].schema;
    expect(schema.required).toEqual(expect.arrayContaining(["id", "type", "source", "specversion", "resource"]));
    expect(schema.properties.resource.pattern).toContain("urn:altinn:resource:");
    const read = doc.paths["/events/api/v1/events"]!.get;
    expect(read.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["resource", "after", "type", "size"]),
    );
    expect(
      doc.paths["/admin/api/v1/resources/{resourceId}"]!.put.requestBody.content["application/json"].schema.properties
        .grants,
    ).toBeDefined();
  });
});
