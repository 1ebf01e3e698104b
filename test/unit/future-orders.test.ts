import { describe, expect, it } from "vitest";
import { problemBody } from "../../src/http/problem";
import { channelPlan, hasContactPoint, pickContactPoints } from "../../src/notifications/future/channels";
import { shipmentDrafts, smsTiming } from "../../src/notifications/future/generate";
import { INSTANT_TEXTS, parseInstantEmail, parseInstantSms } from "../../src/notifications/future/instant-schemas";
import { feedQuery } from "../../src/notifications/future/routes";
import { FUTURE_TEXTS, parseChainRequest, reminderTime } from "../../src/notifications/future/schemas";
import { clampPageSize, emailLifecycle, orderLifecycle } from "../../src/notifications/future/views";

const NOW = new Date("2026-06-01T10:00:00Z");
const both = { emails: ["a@x.no"], mobiles: ["+4799999999"] };
const mailOnly = { emails: ["a@x.no"], mobiles: [] };
const smsOnly = { emails: [], mobiles: ["+4799999999"] };
const nothing = { emails: [], mobiles: [] };

describe("channel schemas and fallback (reference §5.2)", () => {
  it("picks per schema for one contact", () => {
    expect(pickContactPoints("Email", both)).toEqual(mailOnly);
    expect(pickContactPoints("Sms", both)).toEqual(smsOnly);
    expect(pickContactPoints("EmailPreferred", both)).toEqual(mailOnly);
    expect(pickContactPoints("EmailPreferred", smsOnly)).toEqual(smsOnly);
    expect(pickContactPoints("SmsPreferred", both)).toEqual(smsOnly);
    expect(pickContactPoints("SmsPreferred", mailOnly)).toEqual(mailOnly);
    expect(pickContactPoints("EmailAndSms", both)).toEqual(both);
    // A blank e-mail counts as none: EmailPreferred falls back to the mobile.
    expect(pickContactPoints("EmailPreferred", { emails: [" "], mobiles: ["+4799999999"] })).toEqual(smsOnly);
  });

  it("names the channel of a Failed_RecipientNotIdentified: the preferred one, or each empty one of EmailAndSms", () => {
    expect(channelPlan("EmailPreferred", [nothing]).notIdentified).toEqual(["email"]);
    expect(channelPlan("SmsPreferred", [nothing]).notIdentified).toEqual(["sms"]);
    expect(channelPlan("EmailPreferred", [smsOnly]).notIdentified).toEqual([]);
    expect(channelPlan("EmailAndSms", [mailOnly])).toEqual({ ...mailOnly, notIdentified: ["sms"] });
    expect(channelPlan("Sms", [mailOnly])).toEqual({ ...nothing, notIdentified: ["sms"] });
  });

  it("applies the rule per group of an organisation (official lists, each user) and de-duplicates", () => {
    const plan = channelPlan("EmailPreferred", [
      { emails: ["Post@Org.no"], mobiles: ["+4791111111"] },
      { emails: [], mobiles: ["+4792222222"] },
      { emails: ["post@org.no"], mobiles: [] },
    ]);
    expect(plan).toEqual({ emails: ["Post@Org.no"], mobiles: ["+4792222222"], notIdentified: [] });
  });

  it("decides the 422 check: no e-mail for Email, no mobile for Sms, neither for the rest", () => {
    expect(hasContactPoint("Email", [smsOnly])).toBe(false);
    expect(hasContactPoint("Sms", [mailOnly])).toBe(false);
    expect(hasContactPoint("EmailAndSms", [mailOnly])).toBe(true);
    expect(hasContactPoint("SmsPreferred", [nothing, nothing])).toBe(false);
    expect(hasContactPoint("EmailPreferred", [nothing, smsOnly])).toBe(true);
  });
});

describe("shipment drafts", () => {
  const person = { kind: "person" as const, nationalIdentityNumber: "01019012345", ignoreReservation: false };
  it("a person with only a mobile under EmailAndSms: an SMS and an e-mail Failed_RecipientNotIdentified", () => {
    const d = shipmentDrafts(person, "EmailAndSms", { name: "Ola", reserved: false, groups: [smsOnly] });
    expect(d.sms.map((s) => [s.mobileNumber, s.status, s.recipientName])).toEqual([["+4799999999", "New", "Ola"]]);
    expect(d.emails.map((e) => [e.emailAddress, e.status])).toEqual([[null, "Failed_RecipientNotIdentified"]]);
  });
  it("a reserved person gets Failed_RecipientReserved and no address is kept, unless the order ignores it", () => {
    const d = shipmentDrafts(person, "SmsPreferred", { name: "Kari", reserved: true, groups: [both] });
    expect(d).toEqual({
      emails: [],
      sms: [expect.objectContaining({ mobileNumber: null, status: "Failed_RecipientReserved" })],
    });
    const ignored = shipmentDrafts({ ...person, ignoreReservation: true }, "SmsPreferred", {
      name: "Kari",
      reserved: true,
      groups: [both],
    });
    expect(ignored.sms[0]).toMatchObject({ mobileNumber: "+4799999999", status: "New" });
  });
  it("an organisation's notifications carry its name and number for the keywords", () => {
    const d = shipmentDrafts({ kind: "organization", orgNumber: "930000111" }, "Email", {
      name: "Org AS",
      reserved: false,
      groups: [mailOnly],
    });
    expect(d.emails[0]).toMatchObject({
      emailAddress: "a@x.no",
      recipientName: "Org AS",
      recipientNumber: "930000111",
    });
  });
});

describe("timing", () => {
  it("a reminder's delayDays adds calendar days to the main send time", () => {
    expect(reminderTime("2026-03-28T08:00:00.000Z", 7)).toBe("2026-04-04T08:00:00.000Z");
  });
  it("Anytime SMS are due at once and expire 48 h after the requested time; Daytime ones wait for the window", () => {
    const night = new Date("2026-06-01T22:30:00Z"); // 00:30 in Oslo (CEST)
    const any = smsTiming("Anytime", night.toISOString(), night, "09-17", "Europe/Oslo");
    expect(any.dueAt).toEqual(night);
    expect(any.expiresAt.toISOString()).toBe("2026-06-03T22:30:00.000Z");
    const day = smsTiming("Daytime", night.toISOString(), night, "09-17", "Europe/Oslo");
    expect(day.dueAt.toISOString()).toBe("2026-06-02T07:00:00.000Z");
    expect(day.expiresAt.toISOString()).toBe("2026-06-04T07:00:00.000Z");
  });
});

const email = {
  recipientEmail: { emailAddress: "a@x.no", emailSettings: { subject: "S", body: "B" } },
};
function errorsOf(body: Record<string, unknown>): Record<string, string[]> {
  const r = parseChainRequest({ idempotencyId: "k1", recipient: email, ...body }, NOW, false);
  return r.ok ? {} : r.errors;
}

describe("POST /future/orders validation texts (reference §2.2)", () => {
  it("accepts the minimal order with defaults: now, Plain, SMS Daytime", () => {
    const r = parseChainRequest(
      {
        IDEMPOTENCYID: "k",
        recipient: { recipientSms: { phoneNumber: "+4799999999", smsSettings: { body: "Hei" } } },
      },
      NOW,
      false,
    );
    expect(r).toEqual({
      ok: true,
      value: expect.objectContaining({
        idempotencyId: "k",
        reminders: [],
        main: expect.objectContaining({
          requestedSendTime: NOW.toISOString(),
          recipient: expect.objectContaining({
            smsSettings: { sender: null, body: "Hei", sendingTimePolicy: "Daytime" },
          }),
        }),
      }),
    });
  });

  it("gives Altinn's texts under C# property paths", () => {
    expect(errorsOf({ idempotencyId: "" })).toEqual({ IdempotencyId: [FUTURE_TEXTS.idempotencyId] });
    expect(errorsOf({ requestedSendTime: "2026-06-02T10:00:00" })).toEqual({
      RequestedSendTime: [FUTURE_TEXTS.timeZone],
    });
    expect(errorsOf({ requestedSendTime: "2026-06-01T09:59:00Z" })).toEqual({
      RequestedSendTime: [FUTURE_TEXTS.notBeforeNow],
    });
    expect(errorsOf({ conditionEndpoint: "not a url" })).toEqual({ ConditionEndpoint: [FUTURE_TEXTS.conditionUri] });
    expect(errorsOf({ conditionEndpoint: "ftp://x.no/c" })).toEqual({
      ConditionEndpoint: [FUTURE_TEXTS.conditionScheme],
    });
    expect(errorsOf({ conditionEndpoint: "https://127.0.0.1/c" })).toEqual({
      ConditionEndpoint: [FUTURE_TEXTS.conditionDestination],
    });
    expect(errorsOf({ recipient: {} })).toEqual({ Recipient: [FUTURE_TEXTS.exactlyOne] });
    expect(errorsOf({ recipient: null })).toEqual({ Recipient: [FUTURE_TEXTS.recipientMissing] });
    expect(
      errorsOf({ recipient: { ...email, recipientSms: { phoneNumber: "+4799999999", smsSettings: { body: "x" } } } }),
    ).toEqual({ Recipient: [FUTURE_TEXTS.exactlyOne] });
    expect(
      errorsOf({
        recipient: {
          recipientEmail: {
            emailAddress: "nope",
            emailSettings: { subject: "", body: "B", sendingTimePolicy: "Daytime", contentType: "Rtf" },
          },
        },
      }),
    ).toEqual({
      "Recipient.RecipientEmail.EmailAddress": [FUTURE_TEXTS.email],
      "Recipient.RecipientEmail.Settings.Subject": [FUTURE_TEXTS.subject],
      "Recipient.RecipientEmail.Settings.ContentType": [FUTURE_TEXTS.contentType],
      "Recipient.RecipientEmail.Settings.SendingTimePolicy": [FUTURE_TEXTS.emailPolicy],
    });
    expect(errorsOf({ recipient: { recipientSms: { phoneNumber: "90000000" } } })).toEqual({
      "Recipient.RecipientSms.PhoneNumber": [FUTURE_TEXTS.phone],
      "Recipient.RecipientSms.Settings": [FUTURE_TEXTS.smsSettingsNull],
    });
  });

  it("refuses recipientExternalIdentity with a clear 'not supported'", () => {
    const e = errorsOf({ recipient: { recipientExternalIdentity: { externalIdentity: "urn:altinn:username:x" } } });
    expect(e["Recipient.RecipientExternalIdentity"]![0]).toMatch(/not supported/);
  });

  it("requires the settings each channel schema needs, and checks numbers and resources", () => {
    expect(
      errorsOf({ recipient: { recipientPerson: { nationalIdentityNumber: "123", channelSchema: "EmailAndSms" } } }),
    ).toEqual({
      "Recipient.RecipientPerson.NationalIdentityNumber": [FUTURE_TEXTS.nin],
      "Recipient.RecipientPerson.EmailSettings": [FUTURE_TEXTS.bothEmail],
      "Recipient.RecipientPerson.SmsSettings": [FUTURE_TEXTS.bothSms],
    });
    expect(
      errorsOf({
        recipient: {
          recipientOrganization: { orgNumber: "12", channelSchema: 3, resourceId: "x", resourceAction: "read" },
        },
      }),
    ).toEqual({
      "Recipient.RecipientOrganization.OrgNumber": [FUTURE_TEXTS.orgNo],
      "Recipient.RecipientOrganization.EmailSettings": [FUTURE_TEXTS.preferredEmail],
      "Recipient.RecipientOrganization.SmsSettings": [FUTURE_TEXTS.preferredSms],
      "Recipient.RecipientOrganization.ResourceId": [FUTURE_TEXTS.resourceId],
    });
    expect(
      errorsOf({ recipient: { recipientPerson: { nationalIdentityNumber: "01019012345", channelSchema: "Fax" } } }),
    ).toEqual({ "Recipient.RecipientPerson.ChannelSchema": [FUTURE_TEXTS.channel] });
  });

  it("checks reminders: one of delayDays and requestedSendTime, each valid", () => {
    const r = { recipient: email };
    expect(errorsOf({ reminders: [r] })).toEqual({ "Reminders[0]": [FUTURE_TEXTS.reminderWhen] });
    expect(errorsOf({ reminders: [{ ...r, delayDays: 1, requestedSendTime: "2026-06-03T10:00:00Z" }] })).toEqual({
      "Reminders[0]": [FUTURE_TEXTS.reminderWhen],
    });
    expect(errorsOf({ reminders: [{ ...r, delayDays: 0 }] })).toEqual({
      "Reminders[0].DelayDays": [FUTURE_TEXTS.delayDays],
    });
    expect(errorsOf({ reminders: [r, { ...r, requestedSendTime: "2026-06-03T10:00:00" }] })).toEqual({
      "Reminders[0]": [FUTURE_TEXTS.reminderWhen],
      "Reminders[1].RequestedSendTime": [FUTURE_TEXTS.reminderTimeZone],
    });
    expect(errorsOf({ reminders: [{ ...r, requestedSendTime: "2026-05-01T10:00:00Z" }] })).toEqual({
      "Reminders[0].RequestedSendTime": [FUTURE_TEXTS.reminderNotBeforeNow],
    });
    const ok = parseChainRequest(
      {
        idempotencyId: "k",
        requestedSendTime: "2026-06-02T08:00:00+02:00",
        recipient: email,
        reminders: [{ ...r, delayDays: 2 }],
      },
      NOW,
      false,
    );
    expect(ok.ok && ok.value.reminders[0]!.requestedSendTime).toBe("2026-06-04T06:00:00.000Z");
  });
});

describe("instant orders validation (reference §3)", () => {
  it("checks the TTL range 60–172800 and the number", () => {
    const sms = (ttl: unknown) =>
      parseInstantSms({
        idempotencyId: "k",
        recipientSms: { phoneNumber: "+4799999999", timeToLiveInSeconds: ttl, smsSettings: { body: "123456" } },
      });
    expect(sms(60).ok && sms(172800).ok).toBe(true);
    for (const bad of [59, 172801, "360", null])
      expect(sms(bad)).toEqual({ ok: false, errors: { "RecipientSms.TimeToLiveInSeconds": [INSTANT_TEXTS.ttl] } });
    expect(parseInstantSms({ idempotencyId: "k" })).toEqual({
      ok: false,
      errors: { RecipientSms: [INSTANT_TEXTS.smsNull] },
    });
  });
  it("checks the e-mail's address, subject and body", () => {
    expect(
      parseInstantEmail({
        idempotencyId: "",
        recipientEmail: { emailAddress: "x", emailSettings: { subject: " ", body: "" } },
      }),
    ).toEqual({
      ok: false,
      errors: {
        IdempotencyId: [FUTURE_TEXTS.idempotencyId],
        "RecipientEmail.EmailAddress": [FUTURE_TEXTS.email],
        "RecipientEmail.EmailSettings.Subject": [INSTANT_TEXTS.subject],
        "RecipientEmail.EmailSettings.Body": [INSTANT_TEXTS.body],
      },
    });
  });
});

describe("feed paging and views", () => {
  const q = (s: string) => feedQuery(new URL(`https://x/feed${s}`));
  it("defaults seq 0, pageSize 500, Asc; clamps pageSize to 1–500 without an error", () => {
    expect(q("")).toEqual({ seq: 0, pageSize: 500, orderBy: "Asc" });
    expect(q("?PAGESIZE=0&orderby=desc&seq=7")).toEqual({ seq: 7, pageSize: 1, orderBy: "Desc" });
    expect(q("?pageSize=100000").pageSize).toBe(500);
    expect(clampPageSize(-5)).toBe(1);
  });
  it("refuses a negative seq and an unknown order", () => {
    expect(() => q("?seq=-1")).toThrow();
    expect(() => q("?orderBy=sideways")).toThrow();
  });
  it("maps statuses to Altinn's lifecycle names", () => {
    expect(orderLifecycle("Processing", true)).toBe("Order_Processed");
    expect(orderLifecycle("Processing", false)).toBe("Order_Processing");
    expect(emailLifecycle("Failed_InvalidEmailFormat")).toBe("Email_Failed_InvalidFormat");
  });
  it("serialises coded problems in Altinn's shape with the text in title and detail", () => {
    expect(problemBody({ kind: "coded", code: "NOT-00003" }, "00-a-b-00")).toEqual({
      type: "urn:altinn:error:NOT-00003",
      title: "Shipment not found",
      detail: "Shipment not found",
      status: 404,
      code: "NOT-00003",
      traceId: "00-a-b-00",
    });
  });
});
