import { describe, expect, it } from "vitest";
import { HttpFailure } from "../../src/http/problem";
import { parseWith } from "../../src/http/validate";
import { orderRequestSchema, TEXTS } from "../../src/notifications/schemas";

const NOW = new Date("2026-03-01T12:00:00Z");
const ok = { subject: "Hi", body: "Hello", recipients: [{ emailAddress: "a@example.com" }] };

function errorsOf(body: unknown): Record<string, string[]> {
  try {
    parseWith(orderRequestSchema(NOW), body);
  } catch (e) {
    if (e instanceof HttpFailure && e.failure.kind === "validation") return e.failure.errors;
    throw e;
  }
  throw new Error("expected a validation failure");
}

describe("order request validation (SPEC §5.1 texts)", () => {
  it("accepts a minimal order with defaults: Plain, sent now", () => {
    const o = parseWith(orderRequestSchema(NOW), ok);
    expect(o.contentType).toBe("Plain");
    expect(o.requestedSendTime).toBe(NOW.toISOString());
    expect(o.recipients).toEqual([{ emailAddress: "a@example.com" }]);
  });

  it("names empty subject, body and recipients with Altinn's texts", () => {
    expect(errorsOf({ subject: " ", body: "", recipients: [] })).toEqual({
      Subject: [TEXTS.subject],
      Body: [TEXTS.body],
      Recipients: [TEXTS.recipients],
    });
    expect(errorsOf({})).toEqual({
      Subject: ["'Subject' must not be empty."],
      Body: ["'Body' must not be empty."],
      Recipients: ["One or more recipient is required."],
    });
  });

  it("puts recipient-level messages under Recipients", () => {
    const e = errorsOf({
      ...ok,
      recipients: [
        {},
        { emailAddress: "a@example.com", nationalIdentityNumber: "12345678901" },
        { nationalIdentityNumber: "123" },
        { organizationNumber: "12" },
        { emailAddress: "not-an-address" },
      ],
    });
    expect(e).toEqual({
      Recipients: [
        "Either a valid email address, organization number, or national identity number must be provided for each recipient.",
        "National identity number must be 11 digits long.",
        "Organization number must be 9 digits long.",
        "Invalid email address format.",
      ],
    });
  });

  it("requires a time zone on the send time and allows five minutes in the past", () => {
    expect(errorsOf({ ...ok, requestedSendTime: "2026-03-01T13:00:00" })).toEqual({
      RequestedSendTime: ["The requested send time value must have specified a time zone."],
    });
    expect(errorsOf({ ...ok, requestedSendTime: "2026-03-01T11:54:00Z" })).toEqual({
      RequestedSendTime: ["Send time must be in the future. Leave blank to send immediately."],
    });
    const o = parseWith(orderRequestSchema(NOW), { ...ok, requestedSendTime: "2026-03-01T12:56:00+01:00" });
    expect(o.requestedSendTime).toBe("2026-03-01T11:56:00.000Z");
  });

  it("checks the condition endpoint, resource id and content type", () => {
    expect(errorsOf({ ...ok, conditionEndpoint: "ftp://x.example/" })).toEqual({
      ConditionEndpoint: ["The condition endpoint must be a valid URL."],
    });
    expect(errorsOf({ ...ok, conditionEndpoint: "not a url" })).toEqual({
      ConditionEndpoint: [TEXTS.conditionEndpoint],
    });
    expect(errorsOf({ ...ok, resourceId: "Not A Resource" })).toHaveProperty("ResourceId");
    expect(errorsOf({ ...ok, contentType: "Markdown" })).toHaveProperty("ContentType");
    for (const resourceId of ["urn:altinn:resource:ttd-demo", "app_ttd_apps-test"])
      expect(parseWith(orderRequestSchema(NOW), { ...ok, resourceId }).resourceId).toBe(resourceId);
    expect(parseWith(orderRequestSchema(NOW), { ...ok, contentType: "html" }).contentType).toBe("Html");
  });

  it("matches property names case-insensitively, as ASP.NET does", () => {
    const o = parseWith(orderRequestSchema(NOW), {
      Subject: "S",
      BODY: "B",
      Recipients: [{ EmailAddress: "a@example.com" }],
      contenttype: "Html",
    });
    expect(o).toMatchObject({
      subject: "S",
      body: "B",
      contentType: "Html",
      recipients: [{ emailAddress: "a@example.com" }],
    });
  });

  it("rejects addresses that could inject headers", () => {
    expect(errorsOf({ ...ok, recipients: [{ emailAddress: "a@example.com\r\nBcc: x@evil.example" }] })).toEqual({
      Recipients: [TEXTS.email],
    });
    expect(errorsOf({ ...ok, recipients: [{ emailAddress: "a b@example.com" }] })).toEqual({
      Recipients: [TEXTS.email],
    });
  });
});
