import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { expectIndexed, queryPlan } from "../helpers/query-plan";

describe("query-plan helper", () => {
  it("accepts an indexed search and refuses a full scan or a temp B-tree", async () => {
    const indexed = await queryPlan(
      env.DB,
      "SELECT id FROM events WHERE resource = ? AND seq > ? ORDER BY seq LIMIT 10",
      "r",
      0,
    );
    expectIndexed(indexed);
    const scan = await queryPlan(env.DB, "SELECT id FROM events WHERE type = ?", "t");
    expect(() => expectIndexed(scan)).toThrow();
    const sorted = await queryPlan(env.DB, "SELECT id FROM events WHERE resource = ? ORDER BY time LIMIT 10", "r");
    expect(() => expectIndexed(sorted)).toThrow();
  });
});
