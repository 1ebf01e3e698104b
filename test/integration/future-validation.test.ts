// Issue 9: the /future/ routes validate with their zod schemas at the edge: a body in any casing is
// the same order, and a bad value is a 400 problem+json with Altinn's text under the C# path.
import { beforeAll, describe, expect, it } from "vitest";
import { FUTURE_TEXTS } from "../../src/notifications/future/schemas";
import { postJson, problem } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

const FUTURE = "/notifications/api/v1/future";
let ttd: Record<string, string>;
beforeAll(async () => {
  ttd = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
});

describe("POST /future/orders at the edge", () => {
  it("takes property names and enum values in any case", async () => {
    const res = await postJson(
      `${FUTURE}/orders`,
      {
        IDEMPOTENCYID: `k-${crypto.randomUUID()}`,
        RequestedSendTime: new Date(Date.now() + 3_600_000).toISOString(),
        recipient: {
          RECIPIENTEMAIL: {
            emailaddress: "kari@example.no",
            EmailSettings: { SUBJECT: "Hei", Body: "Melding", contentType: "html", SendingTimePolicy: 1 },
          },
        },
      },
      ttd,
    );
    expect(res.status).toBe(201);
  });

  it("answers a bad value with 400 and Altinn's text under the C# property path", async () => {
    const res = await postJson(
      `${FUTURE}/orders`,
      {
        idempotencyId: "k",
        recipient: { recipientPerson: { nationalIdentityNumber: "01019012345", channelSchema: 9 } },
        reminders: [{ delayDays: 0, recipient: { recipientEmail: { emailAddress: "a@x.no" } } }],
      },
      ttd,
    );
    expect(res.status).toBe(400);
    expect((await problem(res)).errors).toEqual({
      "Recipient.RecipientPerson.ChannelSchema": [FUTURE_TEXTS.channel],
      "Reminders[0].DelayDays": [FUTURE_TEXTS.delayDays],
      "Reminders[0].Recipient.RecipientEmail.Settings": [FUTURE_TEXTS.emailSettingsNull],
    });
  });

  it("answers an instant order in other casing, and its bad TTL with Altinn's text", async () => {
    const res = await postJson(
      `${FUTURE}/orders/instant/sms`,
      {
        IdempotencyId: `k-${crypto.randomUUID()}`,
        RECIPIENTSMS: { PhoneNumber: "+4799999999", TIMETOLIVEINSECONDS: 30, SmsSettings: { BODY: "123456" } },
      },
      ttd,
    );
    expect(res.status).toBe(400);
    expect((await problem(res)).errors).toEqual({
      "RecipientSms.TimeToLiveInSeconds": ["Time-to-live must be between 60 and 172800 seconds (48 hours)."],
    });
  });
});
