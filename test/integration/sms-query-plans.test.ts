import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { FEED_SMS_SQL, RESET_LOST_SMS_SQL, RESET_STUCK_SMS_SQL, SMS_ORDERS_TO_FEED_SQL } from "../../src/sms/feed";
import { APPLY_REPORT_SQL, CLAIM_SMS_SQL, EXPIRE_SQL, RECORD_SMS_OUTCOMES_SQL } from "../../src/sms/queries";
import { recordingEnv } from "../helpers/recording-db";
import { completeSmsOrders } from "../../src/sms/queries";
import { expectIndexed, queryPlan } from "../helpers/query-plan";

const t = "2026-06-01T10:00:00.000Z";

describe("SMS hot statements read through indexes", () => {
  it("the TTL sweep, the delivery-report match and the order's list", async () => {
    expectIndexed(await queryPlan(env.DB, EXPIRE_SQL, t, t, 1000));
    expectIndexed(await queryPlan(env.DB, APPLY_REPORT_SQL, "ref", "Delivered", t));
    expectIndexed(await queryPlan(env.DB, "SELECT id FROM sms_notifications WHERE order_id = ?1 ORDER BY seq", "o"));
  });

  it("the session feed: the window count and the waiting SMS through the order's pending index", async () => {
    const plan = await queryPlan(env.DB, FEED_SMS_SQL, "o", t, 600);
    expectIndexed(plan);
    expect(plan.filter((s) => s.includes("sms_notifications_order_pending")).length).toBeGreaterThanOrEqual(3);
  });

  it("the claim, the outcomes of a session, and the sweep's resets and orders", async () => {
    expectIndexed(await queryPlan(env.DB, CLAIM_SMS_SQL, t, t, JSON.stringify(["a", "b"]), t));
    // `j` is the session's json_each list.
    expectIndexed(await queryPlan(env.DB, RECORD_SMS_OUTCOMES_SQL, t, JSON.stringify([{ id: "a", s: "Accepted" }])), [
      "j",
    ]);
    expectIndexed(await queryPlan(env.DB, RESET_STUCK_SMS_SQL, t, 1000));
    expectIndexed(await queryPlan(env.DB, RESET_LOST_SMS_SQL, t, 1000));
    expectIndexed(await queryPlan(env.DB, SMS_ORDERS_TO_FEED_SQL, 1000));
  });

  it("the order's completion check reads only its unfinished SMS", async () => {
    const rec = recordingEnv(env);
    await completeSmsOrders(rec.env, ["o"], new Date(t));
    const [stmt] = rec.statements;
    const plan = await queryPlan(env.DB, stmt!.sql, ...stmt!.binds);
    expectIndexed(plan);
    expect(plan.join("\n")).toContain("sms_notifications_order_pending");
  });
});
