// The one outbound destination rule (SPEC §7.3) as the APIs apply it, with production's setting.
import { describe, expect, it } from "vitest";
import { putResource } from "../helpers/admin";
import { callWithEnv, problem } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

const PRODUCTION = { ALLOW_INSECURE_ENDPOINTS: "false" };
const BYPASSES = [
  "https://localhost./",
  "https://foo.localhost./",
  "https://[::7f00:1]/",
  "https://[64:ff9b::7f00:1]/",
  "https://[fec0::1]/",
  "https://198.18.0.1/",
  "https://192.0.0.8/",
  "https://2130706433/",
  "https://127.0.0.1/",
  "http://127.0.0.1:9/",
  "https://user:pw@hooks.example.com/",
];

const post = (path: string, body: unknown, headers: Record<string, string>) =>
  callWithEnv(PRODUCTION, path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("subscription endPoint", () => {
  it.each(BYPASSES)("refuses %s with SPEC's text", async (endPoint) => {
    await putResource("dest-test", "ttd");
    const h = bearer(await altinnToken({ org: "ttd", scope: "altinn:events.subscribe" }));
    const res = await post(
      "/events/api/v1/subscriptions",
      { endPoint, resourceFilter: "urn:altinn:resource:dest-test" },
      h,
    );
    expect(res.status).toBe(400);
    expect((await problem(res)).detail).toBe("Missing or invalid endpoint to push events towards");
  });
});

describe("order conditionEndpoint", () => {
  it.each(BYPASSES)("refuses %s with SPEC's text", async (conditionEndpoint) => {
    const h = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
    const res = await post(
      "/notifications/api/v1/orders/email",
      { subject: "s", body: "b", recipients: [{ emailAddress: "a@example.com" }], conditionEndpoint },
      h,
    );
    expect(res.status).toBe(400);
    expect((await problem(res)).errors).toEqual({ ConditionEndpoint: ["The condition endpoint must be a valid URL."] });
  });

  it("accepts a public https condition endpoint", async () => {
    const h = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
    const later = new Date(Date.now() + 3600_000).toISOString();
    const res = await post(
      "/notifications/api/v1/orders/email",
      {
        subject: "s",
        body: "b",
        recipients: [{ emailAddress: "a@example.com" }],
        conditionEndpoint: "https://conditions.example.com/check",
        requestedSendTime: later,
      },
      h,
    );
    expect(res.status).toBe(202);
  });
});

describe("SMS order conditionEndpoint", () => {
  it.each(BYPASSES)("refuses %s with the reference's text", async (conditionEndpoint) => {
    const h = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
    const res = await post(
      "/notifications/api/v1/orders/sms",
      { body: "b", recipients: [{ mobileNumber: "+4740000001" }], conditionEndpoint },
      h,
    );
    expect(res.status).toBe(400);
    expect((await problem(res)).errors).toEqual({ ConditionEndpoint: ["The condition endpoint must be a valid URL."] });
  });
});
