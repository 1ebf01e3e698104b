import { describe, expect, it } from "vitest";
import { decodeListCursor, encodeListCursor, nextListLink } from "../../src/lib/list-cursor";

describe("list cursors", () => {
  it("round-trip their key, whatever characters it holds", () => {
    const key = ["2026-11-29T10:00:00.000Z", "æøå/+?&=é"];
    const c = encodeListCursor("oc1.", key);
    expect(c).toMatch(/^oc1\.[A-Za-z0-9_-]+$/);
    expect(decodeListCursor("oc1.", c, 2)).toEqual(key);
  });

  it("refuse another kind's cursor, a wrong arity, and anything not made here", () => {
    const c = encodeListCursor("rc1.", ["a"]);
    expect(decodeListCursor("oc1.", c, 1)).toBeNull();
    expect(decodeListCursor("rc1.", c, 2)).toBeNull();
    for (const bad of ["rc1.", "rc1.!!", "rc1.bm90IGpzb24", "rc1.eyJhIjoxfQ", "0", "x".repeat(2000)])
      expect(decodeListCursor("rc1.", bad, 1)).toBeNull();
  });

  it("keeps the other parameters in the next link and replaces after", () => {
    const url = new URL("http://x.test/admin/api/v1/resources?size=2&after=old");
    const next = new URL(nextListLink(url, "https://varsel.example", "rc1.abc"));
    expect(next.origin).toBe("https://varsel.example");
    expect(next.searchParams.get("size")).toBe("2");
    expect(next.searchParams.getAll("after")).toEqual(["rc1.abc"]);
  });
});
