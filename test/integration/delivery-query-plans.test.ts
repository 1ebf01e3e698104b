// EXPLAIN QUERY PLAN for the events pipeline's hot statements (issue 7 point 6, issue 8 points 4-5):
// the outbox sweep, the matcher, gap filling, retention, and each subscription object's next push.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { GAP_HEADERS_SQL } from "../../src/delivery/gaps";
import {
  FIRST_DUE_AT_SQL,
  NEXT_FIRST_SQL,
  NEXT_RETRY_SQL,
  OLDEST_DONE_SQL,
  PRUNE_PICK_SQL,
  PushStore,
  RETRY_DUE_AT_SQL,
} from "../../src/delivery/store";
import { BY_SEQ_SQL, CONFIRM_SQL, LEASE_SQL, RESCHEDULE_SQL } from "../../src/events/outbox";
import { PRUNE_EVENTS_SQL } from "../../src/events/retention";
import { candidatesQuery, RESOURCE_GENERATIONS_SQL } from "../../src/subscriptions/queries";
import { expectIndexed, queryPlan, queryPlanSql } from "../helpers/query-plan";

const list = JSON.stringify([1, 2, 3]);

describe("query plans", () => {
  it("the outbox sweep, its confirmations and events retention read through indexes", async () => {
    for (const [sql, binds] of [
      [LEASE_SQL, [1, 2, 3]],
      [RESCHEDULE_SQL, [1, list]],
      [CONFIRM_SQL, ["t", list]],
      [BY_SEQ_SQL, [list]],
      [PRUNE_EVENTS_SQL, ["2026-01-01", 10]],
    ] as const) {
      const plan = await queryPlan(env.DB, sql, ...binds);
      expectIndexed(plan);
    }
    expect((await queryPlan(env.DB, LEASE_SQL, 1, 2, 3)).join("\n")).toContain("events_outbox");
    expect((await queryPlan(env.DB, PRUNE_EVENTS_SQL, "x", 1)).join("\n")).toContain("events_stored");
  });

  it("the matcher's reads and gap filling use their indexes", async () => {
    expectIndexed(await queryPlan(env.DB, RESOURCE_GENERATIONS_SQL, list));
    const q = candidatesQuery(env, ["urn:altinn:resource:a", "urn:altinn:resource:b"]).toSQL();
    const plan = await queryPlan(env.DB, q.sql, ...q.params);
    expectIndexed(plan);
    expect(plan.join("\n")).toContain("subscriptions_resource");
    const gaps = await queryPlan(env.DB, GAP_HEADERS_SQL, "urn:altinn:resource:a", 1, 100, 500);
    expectIndexed(gaps);
    expect(gaps.join("\n")).toContain("events_resource_seq");
  });

  it("a subscription object picks its next push, its next wake-up and what retention removes without sorting", async () => {
    const ns = env.SUBSCRIPTION_DO;
    const plans = await runInDurableObject(ns.get(ns.idFromName(`plans-${crypto.randomUUID()}`)), (_i, state) => {
      new PushStore(state.storage.sql).ensureSchema();
      return [
        queryPlanSql(state.storage.sql, NEXT_FIRST_SQL, 1),
        queryPlanSql(state.storage.sql, NEXT_RETRY_SQL, 1),
        queryPlanSql(state.storage.sql, FIRST_DUE_AT_SQL),
        queryPlanSql(state.storage.sql, RETRY_DUE_AT_SQL),
        queryPlanSql(state.storage.sql, OLDEST_DONE_SQL),
        queryPlanSql(state.storage.sql, PRUNE_PICK_SQL, 1, 10),
      ];
    });
    for (const plan of plans) expectIndexed(plan);
    expect(plans[1]!.join("\n")).toContain("pushes_retry");
  });
});
