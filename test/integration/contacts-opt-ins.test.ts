/**
 * Issue 8.9: storeOrgUsers replaces a user's opt-ins in one transaction. A bulk import large enough to
 * take several D1 batches, one of which fails, leaves every user with either the old opt-ins or the
 * new ones, never none or part of them.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { storeOrgUsers } from "../../src/contacts/queries";
import type { Env } from "../../src/env";
import { limitedD1 } from "../helpers/d1-limits";

const ORG = "920777000";
const users = Array.from({ length: 130 }, (_, i) => String(50_000 + i));
const fresh = Array.from({ length: 200 }, (_, k) => `urn:altinn:resource:varsel-opt-in-resource-${k}`);

describe("replacing org users' opt-ins", () => {
  it("keeps each user's old or new opt-ins whole when one batch of a large import fails", async () => {
    await storeOrgUsers(
      env,
      users.map((userId) => ({
        orgNo: ORG,
        userId,
        email: `${userId}@example.com`,
        mobile: null,
        resources: ["urn:altinn:resource:old"],
      })),
      new Date(),
    );
    const failing: Env = { ...env, DB: limitedD1(env.DB, { failBatch: (n) => n === 2 }) };
    await expect(
      storeOrgUsers(
        failing,
        users.map((userId) => ({ orgNo: ORG, userId, email: `${userId}@example.com`, mobile: null, resources: fresh })),
        new Date(),
      ),
    ).rejects.toThrow(/injected/);
    const { results } = await env.DB.prepare(
      "SELECT user_id, count(*) AS n, min(resource_id) AS r FROM contact_org_user_resources WHERE org_no = ?1 GROUP BY user_id",
    )
      .bind(ORG)
      .all<{ user_id: string; n: number; r: string }>();
    const byUser = new Map(results.map((r) => [r.user_id, r]));
    const states = users.map((u) => {
      const r = byUser.get(u);
      if (!r) return "none";
      if (r.n === 1 && r.r === "urn:altinn:resource:old") return "old";
      if (r.n === fresh.length) return "new";
      return "part";
    });
    expect(states.filter((s) => s === "none" || s === "part")).toEqual([]);
    expect(states).toContain("old");
    expect(states).toContain("new");
  });
});
