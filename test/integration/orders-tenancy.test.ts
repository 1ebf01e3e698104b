// Orders cannot borrow another org's audience (SPEC §5.1, §5.3, issue 7 §2).
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { putResource } from "../helpers/admin";
import { call, postJson, problem } from "../helpers/http";
import { altinnToken, bearer, platformToken } from "../helpers/tokens";
import { seedContacts } from "./orders-fixtures";

const ORDERS = "/notifications/api/v1/orders";
const SCOPE = "altinn:serviceowner/notifications.create";
const ORG_NO = "930000333";
let ttd: Record<string, string>;
let evil: Record<string, string>;
let partner: Record<string, string>;

const order = (extra: Record<string, unknown> = {}) => ({
  subject: "s",
  body: "b",
  recipients: [{ organizationNumber: ORG_NO }],
  requestedSendTime: new Date(Date.now() + 3600_000).toISOString(),
  ...extra,
});

beforeAll(async () => {
  ttd = bearer(await altinnToken({ org: "ttd", scope: SCOPE }));
  evil = bearer(await altinnToken({ org: "evil", scope: SCOPE }));
  partner = bearer(await altinnToken({ org: "partner", scope: SCOPE }));
  await putResource("ttd-audience", "ttd", [
    { subject: "/user/3001", actions: ["read"] },
    { subject: "/org/partner", actions: ["notify"] },
    { subject: "/org/reader", actions: ["read", "subscribe", "publish"] },
  ]);
  await seedContacts([
    [
      `organizations/${ORG_NO}/users/3001`,
      { email: "ttd-user@example.com", resources: ["urn:altinn:resource:ttd-audience", "app_ttd_audience-app"] },
    ],
    [
      "persons/05058012345",
      { name: "Reservert Person", email: "secret-reserved@example.com", mobile: null, reserved: true },
    ],
  ]);
});

describe("an order's resourceId must be the orderer's, or granted to it with notify", () => {
  it("refuses another org's resource with 403 and stores no order", async () => {
    for (const resourceId of [
      "urn:altinn:resource:ttd-audience",
      "app_ttd_audience-app",
      "urn:altinn:resource:app_ttd_audience-app",
    ]) {
      const res = await postJson(`${ORDERS}/email`, order({ resourceId, sendersReference: "evil-ref" }), evil);
      expect(res.status, resourceId).toBe(403);
      expect((await problem(res)).detail).toMatch(/notify/);
    }
    const listed = await call(`${ORDERS}?sendersReference=evil-ref`, { headers: evil });
    expect(await listed.json()).toEqual({ count: 0, orders: [] });
  });

  it("holds for SMS orders too: another org's resource is 403, the owner's and a notify grant's are accepted", async () => {
    const sms = (resourceId: string, sendersReference: string) => ({
      body: "b",
      recipients: [{ organizationNumber: ORG_NO }],
      requestedSendTime: new Date(Date.now() + 3600_000).toISOString(),
      resourceId,
      sendersReference,
    });
    for (const resourceId of ["urn:altinn:resource:ttd-audience", "app_ttd_audience-app"]) {
      const res = await postJson(`${ORDERS}/sms`, sms(resourceId, "evil-sms"), evil);
      expect(res.status, resourceId).toBe(403);
      expect((await problem(res)).detail).toMatch(/notify/);
    }
    expect(await (await call(`${ORDERS}?sendersReference=evil-sms`, { headers: evil })).json()).toEqual({
      count: 0,
      orders: [],
    });
    expect((await postJson(`${ORDERS}/sms`, sms("urn:altinn:resource:ttd-audience", "p"), partner)).status).toBe(202);
    expect((await postJson(`${ORDERS}/sms`, sms("urn:altinn:resource:ttd-audience", "t"), ttd)).status).toBe(202);
  });

  it("refuses an app's Platform Access Token for another org's resource", async () => {
    const res = await postJson(`${ORDERS}/email`, order({ resourceId: "urn:altinn:resource:ttd-audience" }), {
      platformaccesstoken: await platformToken("evil", "app"),
    });
    expect(res.status).toBe(403);
  });

  it("a grant of other actions is not a notify grant; an unknown resource is refused alike", async () => {
    const reader = bearer(await altinnToken({ org: "reader", scope: SCOPE }));
    expect(
      (await postJson(`${ORDERS}/email`, order({ resourceId: "urn:altinn:resource:ttd-audience" }), reader)).status,
    ).toBe(403);
    expect(
      (await postJson(`${ORDERS}/email`, order({ resourceId: "urn:altinn:resource:no-such-resource" }), ttd)).status,
    ).toBe(403);
  });

  it("the owner (its apps included) and an org with a notify grant may order", async () => {
    for (const resourceId of [
      "urn:altinn:resource:ttd-audience",
      "app_ttd_audience-app",
      "urn:altinn:resource:app_ttd_audience-app",
    ]) {
      expect((await postJson(`${ORDERS}/email`, order({ resourceId }), ttd)).status, resourceId).toBe(202);
    }
    expect(
      (await postJson(`${ORDERS}/email`, order({ resourceId: "urn:altinn:resource:ttd-audience" }), partner)).status,
    ).toBe(202);
    const pat = { platformaccesstoken: await platformToken("ttd", "audience-app") };
    expect((await postJson(`${ORDERS}/email`, order({ resourceId: "app_ttd_audience-app" }), pat)).status).toBe(202);
  });
});

describe("a reserved person's address is never stored on a notification nor shown (SPEC §5.3)", () => {
  it("a Failed_RecipientReserved notification names the recipient by number only", async () => {
    const due = Date.now() + 6 * 60_000;
    const res = await postJson(
      `${ORDERS}/email`,
      {
        subject: "s",
        body: "b",
        recipients: [{ nationalIdentityNumber: "05058012345" }],
        requestedSendTime: new Date(due).toISOString(),
      },
      ttd,
    );
    expect(res.status).toBe(202);
    const { orderId } = (await res.json()) as { orderId: string };
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ scheduledTime: new Date(due + 60_000), cron: "* * * * *" }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const { results } = await env.DB.prepare("SELECT * FROM email_notifications WHERE order_id = ?1")
      .bind(orderId)
      .all();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      status: "Failed_RecipientReserved",
      national_identity_number: "05058012345",
      email_address: null,
    });
    expect(JSON.stringify(results)).not.toContain("secret-reserved");
    const shown = await call(`${ORDERS}/${orderId}/notifications/email`, { headers: ttd });
    const text = await shown.text();
    expect(text).not.toContain("secret-reserved");
    expect(JSON.parse(text).notifications[0].recipient).toMatchObject({
      nationalIdentityNumber: "05058012345",
      isReserved: true,
    });
  });
});
