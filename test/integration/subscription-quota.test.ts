// MAX_SUBSCRIPTIONS_PER_CONSUMER (SPEC §4.4, issue 7 §7).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { putResource } from "../helpers/admin";
import { callWithEnv, problem } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

const SUBS = "/events/api/v1/subscriptions";

async function create(vars: Record<string, string>, consumer: string, n: number) {
  const h = bearer(await altinnToken({ org: consumer, scope: "altinn:events.subscribe" }));
  return callWithEnv(vars, SUBS, {
    method: "POST",
    headers: { "content-type": "application/json", ...h },
    body: JSON.stringify({
      endPoint: `http://127.0.0.1:9/quota/${n}`,
      resourceFilter: `urn:altinn:resource:quota-${consumer}`,
    }),
  });
}

const count = async (consumer: string) =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM subscriptions WHERE consumer = ?")
    .bind(`/org/${consumer}`)
    .first<{ n: number }>())!.n;

describe("subscriptions per consumer", () => {
  it("one more than the limit is a 400 problem saying so; an identical re-post still answers 201", async () => {
    await putResource("quota-qa", "qa");
    const vars = { MAX_SUBSCRIPTIONS_PER_CONSUMER: "3" };
    for (let i = 0; i < 3; i++) expect((await create(vars, "qa", i)).status).toBe(201);
    const gen = async () =>
      (await env.DB.prepare("SELECT gen FROM subscription_resource_generations WHERE resource = ?")
        .bind("urn:altinn:resource:quota-qa")
        .first<{ gen: number }>())!.gen;
    const before = await gen();
    const over = await create(vars, "qa", 3);
    expect(over.status).toBe(400);
    // A refused creation changes nothing, not even the matchers' cache generation.
    expect(await gen()).toBe(before);
    expect((await problem(over)).detail).toBe(
      "A consumer may hold at most 3 subscriptions; delete one before creating another.",
    );
    expect(await count("qa")).toBe(3);
    expect((await create(vars, "qa", 1)).status).toBe(201);
  });

  it("another consumer's subscriptions do not count", async () => {
    await putResource("quota-qb", "qb");
    expect((await create({ MAX_SUBSCRIPTIONS_PER_CONSUMER: "1" }, "qb", 0)).status).toBe(201);
    expect((await create({ MAX_SUBSCRIPTIONS_PER_CONSUMER: "1" }, "qb", 1)).status).toBe(400);
  });

  it("holds under concurrent creation: never more than the limit", async () => {
    await putResource("quota-qc", "qc");
    const vars = { MAX_SUBSCRIPTIONS_PER_CONSUMER: "4" };
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => create(vars, "qc", i)));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(4);
    expect(answers.filter((r) => r.status === 400)).toHaveLength(6);
    expect(await count("qc")).toBe(4);
  });

  it("defaults to 100", async () => {
    await putResource("quota-qd", "qd");
    const now = new Date().toISOString();
    for (let i = 0; i < 100; i += 25) {
      const stmt = env.DB.prepare(
        "INSERT INTO subscriptions (end_point, resource_filter, consumer, created_by, created, secret) VALUES (?, ?, '/org/qd', '/org/qd', ?, 'whsec_x')",
      );
      await env.DB.batch(
        Array.from({ length: 25 }, (_, j) =>
          stmt.bind(`http://127.0.0.1:9/bulk/${i + j}`, "urn:altinn:resource:quota-qd", now),
        ),
      );
    }
    const over = await create({}, "qd", 1000);
    expect(over.status).toBe(400);
    expect((await problem(over)).detail).toContain("at most 100 subscriptions");
  });
});
