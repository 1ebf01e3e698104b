import { describe, expect, it } from "vitest";
import { chunkRows, parseNdjson } from "../../src/contacts/ndjson";
import { mayRead } from "../../src/contacts/policy";
import { normalizeResourceId } from "../../src/contacts/resource-id";
import { personLineSchema } from "../../src/contacts/schemas";

describe("resource id normalisation", () => {
  it("stores both order forms as the registry's bare id and refuses anything else", () => {
    expect(normalizeResourceId("urn:altinn:resource:ttd-demo-events")).toBe("ttd-demo-events");
    expect(normalizeResourceId("app_ttd_apps-test")).toBe("app_ttd_apps-test");
    expect(normalizeResourceId("urn:altinn:resource:app_ttd_apps-test")).toBe("app_ttd_apps-test");
    expect(normalizeResourceId("ttd-demo-events")).toBeNull();
    expect(normalizeResourceId("urn:altinn:resource:")).toBeNull();
    expect(normalizeResourceId("urn:altinn:resource:Bad Id")).toBeNull();
  });
});

describe("NDJSON parsing", () => {
  it("counts lines from 1, skips blank ones, and lets a later line win for the same key", () => {
    const text = [
      '{"nin":"01010112345","name":"A"}',
      "",
      "  ",
      '{"nin":"1","name":"B"}',
      '{"nin":"01010112345","name":"A2"}',
      "null",
    ].join("\n");
    const r = parseNdjson(text, personLineSchema, (p) => p.nin);
    expect(r.accepted).toBe(2);
    expect(r.records).toEqual([{ nin: "01010112345", name: "A2", email: null, mobile: null, reserved: false }]);
    expect(r.rejected).toEqual([
      { line: 4, error: "Nin: National identity number must be 11 digits long." },
      { line: 6, error: "Each line must be a JSON object." },
    ]);
  });

  it("refuses absurdly nested lines without parsing them", () => {
    const r = parseNdjson("[".repeat(1000), personLineSchema, (p) => p.nin);
    expect(r.rejected[0]?.error).toMatch(/nested deeper/);
  });

  it("chunks rows by count and by JSON size", () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ i, pad: "x".repeat(90) }));
    expect(chunkRows(rows, 4, 1_000_000).map((c) => c.length)).toEqual([4, 4, 2]);
    expect(chunkRows(rows, 100, 250).map((c) => c.length)).toEqual([2, 2, 2, 2, 2]);
    expect(chunkRows([], 4, 100)).toEqual([]);
  });
});

describe("who among an organisation's users may be notified", () => {
  const resource = {
    id: "r",
    owner: "ttd",
    title: "r",
    grants: [
      { subject: "/user/1", actions: ["read" as const] },
      { subject: "/org/ttd", actions: ["read" as const] },
    ],
  };
  it("needs a read grant to the user; the owner-org rule does not apply to users", () => {
    expect(mayRead(resource, "1")).toBe(true);
    expect(mayRead(resource, "2")).toBe(false);
  });
});
