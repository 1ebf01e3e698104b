import { env } from "cloudflare:test";
import { describe, it } from "vitest";
import { APPLY_REPORT_SQL, EXPIRE_SQL, TAKE_STRAGGLERS_SQL } from "../../src/sms/queries";
import { expectIndexed, queryPlan } from "../helpers/query-plan";

const t = "2026-06-01T10:00:00.000Z";

describe("SMS hot statements read through indexes", () => {
  it("the outbox sweep, the TTL sweep and the delivery-report match", async () => {
    expectIndexed(await queryPlan(env.DB, TAKE_STRAGGLERS_SQL, t, t, 500));
    expectIndexed(await queryPlan(env.DB, EXPIRE_SQL, t, t, 1000));
    expectIndexed(await queryPlan(env.DB, APPLY_REPORT_SQL, "ref", "Delivered", t));
    expectIndexed(await queryPlan(env.DB, "SELECT id FROM sms_notifications WHERE order_id = ?1 ORDER BY seq", "o"));
  });
});
