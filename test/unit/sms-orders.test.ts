import { describe, expect, it } from "vitest";
import { zodErrors } from "../../src/http/validate";
import { smsOutcomeOf, composeSms } from "../../src/sms/consumer";
import { daytimeWindow } from "../../src/sms/daytime";
import type { SmsJob } from "../../src/sms/queries";
import { resolveSmsRecipients, smsLookupSummary, type SmsContacts } from "../../src/sms/resolve";
import { SMS_TEXTS, smsOrderRequestSchema } from "../../src/sms/schemas";

const NOW = new Date("2026-06-01T10:00:00Z");
function errorsOf(body: unknown): Record<string, string[]> {
  const r = smsOrderRequestSchema(NOW).safeParse(body);
  return r.success ? {} : zodErrors(r.error);
}
const ok = { body: "Hei", recipients: [{ mobileNumber: "+4799999999" }] };

describe("POST /orders/sms validation texts (reference §1.1)", () => {
  it("fills defaults and keeps the number as given", () => {
    const r = smsOrderRequestSchema(NOW).parse({ ...ok, recipients: [{ mobileNumber: "0047 99999999" }] });
    expect(r).toMatchObject({
      body: "Hei",
      requestedSendTime: NOW.toISOString(),
      recipients: [{ mobileNumber: "0047 99999999" }],
    });
  });

  it.each([
    [{ ...ok, body: "" }, "Body", SMS_TEXTS.body],
    [{ ...ok, recipients: [] }, "Recipients", "One or more recipient is required."],
    [{ ...ok, recipients: [{}] }, "Recipients", SMS_TEXTS.recipientIdentifier],
    [{ ...ok, recipients: [{ emailAddress: "a@example.com" }] }, "Recipients", SMS_TEXTS.recipientIdentifier],
    [
      { ...ok, recipients: [{ mobileNumber: "90000000" }] },
      "Recipients",
      "Mobile number can contain only '+' and numeric characters, and it must adhere to the E.164 standard.",
    ],
    [
      { ...ok, recipients: [{ nationalIdentityNumber: "123" }] },
      "Recipients",
      "National identity number must be 11 digits long.",
    ],
    [
      { ...ok, recipients: [{ organizationNumber: "123" }] },
      "Recipients",
      "Organization number must be 9 digits long.",
    ],
    [
      { ...ok, recipients: [{ nationalIdentityNumber: "01017012345", mobileNumber: "+4799999999" }] },
      "Recipients",
      SMS_TEXTS.ninCombined,
    ],
    [
      { ...ok, recipients: [{ organizationNumber: "910000111", emailAddress: "a@example.com" }] },
      "Recipients",
      SMS_TEXTS.orgCombined,
    ],
    [
      { ...ok, requestedSendTime: "2026-06-01T12:00:00" },
      "RequestedSendTime",
      "The requested send time value must have specified a time zone.",
    ],
    [
      { ...ok, requestedSendTime: "2026-06-01T09:54:00Z" },
      "RequestedSendTime",
      "Send time must be in the future. Leave blank to send immediately.",
    ],
    [
      { ...ok, conditionEndpoint: "ftp://x.example" },
      "ConditionEndpoint",
      "The condition endpoint must be a valid URL.",
    ],
    [{ ...ok, resourceAction: "read" }, "ResourceAction", "ResourceAction cannot be specified without a ResourceId."],
    [
      { ...ok, resourceId: "urn:altinn:resource:r1", resourceAction: "  " },
      "ResourceAction",
      "ResourceAction cannot be blank or whitespace.",
    ],
  ])("%j → %s: %s", (body, key, message) => {
    expect(errorsOf(body)[key]).toContain(message);
  });

  it("accepts 5 minutes in the past and property names in any case", () => {
    expect(
      errorsOf({ BODY: "x", Recipients: [{ MobileNumber: "+4799999999" }], requestedSendTime: "2026-06-01T09:56:00Z" }),
    ).toEqual({});
  });
});

const contacts: SmsContacts = {
  persons: new Map([
    ["01017012345", { name: "Ola", mobile: "99999999", reserved: false }],
    ["02027012345", { name: "Kari", mobile: "+4798888888", reserved: true }],
    ["03037012345", { name: "Per", mobile: null, reserved: false }],
  ]),
  organizations: new Map([["910000111", { name: "Eksempel AS", mobiles: ["+4797777777", "12345678"] }]]),
  orgUsers: [{ orgNo: "910000111", userId: "1", mobile: "004796666666" }],
};

describe("SMS recipient resolution", () => {
  it("makes one SMS per number, never stores a reserved person's number, de-duplicates", () => {
    const drafts = resolveSmsRecipients(
      [
        { nationalIdentityNumber: "01017012345" },
        { nationalIdentityNumber: "02027012345" },
        { nationalIdentityNumber: "03037012345" },
        { organizationNumber: "910000111" },
        { mobileNumber: "+47 99 99 99 99" },
        { organizationNumber: "999999999" },
      ],
      contacts,
      false,
    );
    expect(drafts.map((d) => [d.mobileNumber, d.status, d.recipientName, d.recipientNumber])).toEqual([
      ["+4799999999", "New", "Ola", ""],
      [null, "Failed_RecipientReserved", "Kari", ""],
      [null, "Failed_RecipientNotIdentified", "Per", ""],
      ["+4797777777", "New", "Eksempel AS", "910000111"],
      ["+4796666666", "New", "Eksempel AS", "910000111"],
      [null, "Failed_RecipientNotIdentified", "", "999999999"],
    ]);
  });

  it("sends to a reserved person with ignoreReservation", () => {
    expect(resolveSmsRecipients([{ nationalIdentityNumber: "02027012345" }], contacts, true)[0]).toMatchObject({
      mobileNumber: "+4798888888",
      status: "New",
    });
  });

  it("summarises the look-up: reserved persons are not also missing", () => {
    expect(smsLookupSummary([{ mobileNumber: "+4799999999" }], contacts, false)).toBeNull();
    expect(
      smsLookupSummary(
        [
          { nationalIdentityNumber: "01017012345" },
          { nationalIdentityNumber: "02027012345" },
          { organizationNumber: "999999999" },
        ],
        contacts,
        false,
      ),
    ).toEqual({
      status: "PartialSuccess",
      isReserved: ["02027012345"],
      missingContact: ["999999999"],
    });
    expect(smsLookupSummary([{ nationalIdentityNumber: "02027012345" }], contacts, false)?.status).toBe("Failed");
    expect(smsLookupSummary([{ organizationNumber: "910000111" }], contacts, false)?.status).toBe("Success");
  });
});

describe("sending outcomes", () => {
  const job: SmsJob = {
    id: "n1",
    orderId: "o1",
    mobileNumber: "+4799999999",
    recipientName: "Ola",
    recipientNumber: "",
    attempts: 1,
    expiresAt: "2026-06-03T10:00:00Z",
    body: "Hei $recipientName$",
    senderNumber: "",
  };
  const always = daytimeWindow("00-24", "UTC");

  it("composes the text with keywords, the default sender and the TTL left in minutes", () => {
    expect(composeSms(job, NOW)).toEqual({
      id: "n1",
      text: "Hei Ola",
      sender: "Altinn",
      receiver: "+4799999999",
      ttlMinutes: 2880,
    });
  });

  it("Accepted keeps the reference; a transient failure goes back to New, due after the retry delay", () => {
    expect(smsOutcomeOf(job, { status: "Accepted", gatewayReference: "R1" }, NOW, [5], 1, always).outcome).toEqual({
      id: "n1",
      status: "Accepted",
      gatewayReference: "R1",
    });
    expect(
      smsOutcomeOf(job, { status: "Failed_InvalidRecipient", error: "Invalid RCV" }, NOW, [5], 1, always).outcome
        .status,
    ).toBe("Failed_InvalidRecipient");
    const t = smsOutcomeOf(job, { status: "Transient", error: "down" }, NOW, [30], 1, always);
    expect(t).toEqual({
      outcome: { id: "n1", status: "New", dueAt: "2026-06-01T10:00:30.000Z", error: "down", enqueued: true },
      retryDelay: 30,
    });
  });

  it("a retry that would fall outside the Daytime window waits for its start", () => {
    const day = daytimeWindow("09-17", "UTC");
    const late = new Date("2026-06-01T16:59:50Z");
    expect(smsOutcomeOf(job, { status: "Transient", error: "down" }, late, [30], 1, day).outcome).toMatchObject({
      status: "New",
      dueAt: "2026-06-02T09:00:00.000Z",
    });
  });
});
