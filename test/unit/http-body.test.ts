import { describe, expect, it } from "vitest";
import { jsonDepth } from "../../src/http/body";
import { decodeAfter, encodeCursor, pageSize, wildcardGlob } from "../../src/events/cursor";
import { traceIdFor } from "../../src/http/trace";
import { propertyName } from "../../src/http/validate";

describe("JSON depth", () => {
  it("counts nesting without parsing, ignoring brackets in strings", () => {
    expect(jsonDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonDepth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(jsonDepth('{"a":"\\"[[["}')).toBe(1);
    expect(jsonDepth("[".repeat(65) + "]".repeat(65))).toBe(65);
  });
});

describe("cursors", () => {
  it("round-trips a position and tells ids, cursors and the start apart", () => {
    expect(decodeAfter(encodeCursor(12345))).toEqual({ kind: "seq", seq: 12345 });
    expect(decodeAfter("0")).toEqual({ kind: "start" });
    expect(decodeAfter("288f71f2-8cbd-3442-1532-ac14f3fd9faa")).toEqual({
      kind: "eventId",
      id: "288f71f2-8cbd-3442-1532-ac14f3fd9faa",
    });
    expect(decodeAfter("vc1.!!")).toEqual({ kind: "invalid" });
  });

  it("defaults size to 50 and clamps it to 1000", () => {
    expect(pageSize(undefined)).toBe(50);
    expect(pageSize("5000")).toBe(1000);
    expect(pageSize("0")).toBeNull();
    expect(pageSize("-1")).toBeNull();
    expect(pageSize("abc")).toBeNull();
  });

  it("keeps % as the only wildcard in type filters", () => {
    expect(wildcardGlob("app.%_created*?[x]")).toBe("app.*_created[*][?][[]x]");
  });
});

describe("trace ids", () => {
  it("uses the W3C form and keeps a caller's trace id", () => {
    expect(traceIdFor(null)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(traceIdFor("00-4b54a6a0c9b74bf5afc5e917863f96fd-eb14b06c1f0c3cf8-01")).toMatch(
      /^00-4b54a6a0c9b74bf5afc5e917863f96fd-[0-9a-f]{16}-00$/,
    );
    expect(traceIdFor("garbage")).not.toContain("garbage");
  });
});

describe("ASP.NET property names", () => {
  it("PascalCases the first path segment", () => {
    expect(propertyName(["recipients", 0, "emailAddress"])).toBe("Recipients");
    expect(propertyName([])).toBe("$");
  });
});
