// Issue 7 §9: one rule, one place. Each family of checks agrees with itself wherever it is used.
import { describe, expect, it } from "vitest";
import { isPlainAddress } from "../../src/email/smtp/mime";
import { personBodySchema } from "../../src/contacts/schemas";
import { appIdentityFrom } from "../../src/auth/claims";
import { isValidEmail } from "../../src/lib/email-address";
import { isOffsetDateTime } from "../../src/lib/time";
import { isRfc3339 } from "../../src/events/cloudevent";
import { hasTimeZone } from "../../src/notifications/schemas";
import { appOfResourceId } from "../../src/resources/policy";
import { APP_NAME, ORDER_RESOURCE_ID } from "../../src/resources/ids";
import { appOfSourceFilter } from "../../src/subscriptions/rules";

describe("one e-mail grammar", () => {
  const cases: [string, boolean][] = [
    ["a@example.com", true],
    ["first.last+tag@sub.example.no", true],
    ["a@b", false],
    ["a b@example.com", false],
    ["a@example.com\r\nBcc: x@y.z", false],
    ["a\u0000@example.com", false],
    ['"a"@example.com', false],
    ["a..b@example.com", false],
    ["<a@example.com>", false],
  ];
  it.each(cases)("%s -> %s, the same for orders, contacts and the SMTP envelope", (address, ok) => {
    expect(isValidEmail(address)).toBe(ok);
    expect(isPlainAddress(address)).toBe(ok);
    expect(personBodySchema.safeParse({ name: "N", email: address }).success).toBe(ok);
  });
});

describe("one offset date-time rule", () => {
  const cases: [string, boolean][] = [
    ["2026-01-01T10:00:00Z", true],
    ["2026-01-01T10:00:00.123+01:00", true],
    ["2026-01-01T10:00+01:00", true],
    ["2026-01-01T10:00:00", false],
    ["2026-01-01", false],
    ["2026-13-45T10:00:00Z", false],
  ];
  it.each(cases)("%s -> %s for events and orders alike", (value, ok) => {
    expect(isOffsetDateTime(value)).toBe(ok);
    expect(isRfc3339(value)).toBe(ok);
    expect(hasTimeZone(value)).toBe(ok);
  });
});

describe("one resource-id family", () => {
  it("an app resource id names an app exactly when its app part is an app name", () => {
    expect(appOfResourceId("app_ttd_apps-test")).toEqual({ org: "ttd", app: "apps-test" });
    // `_` is in no app name, so `app_ttd_x_y` is not an app resource (it was, with app `x_y`, before).
    expect(APP_NAME.test("x_y")).toBe(false);
    expect(appOfResourceId("app_ttd_x_y")).toBeNull();
    expect(ORDER_RESOURCE_ID.test("app_ttd_x_y")).toBe(false);
    expect(ORDER_RESOURCE_ID.test("app_ttd_apps-test")).toBe(true);
    expect(ORDER_RESOURCE_ID.test("urn:altinn:resource:ttd-demo")).toBe(true);
    expect(appIdentityFrom({ iss: "ttd", "urn:altinn:app": "x_y" })).toBeNull();
    expect(appOfSourceFilter("https://h/ttd/x_y")).toBeNull();
  });
});

describe("one id pattern for orders, shipments and notifications", () => {
  it("takes a UUID in any case and nothing else (src/lib/uuid.ts, used by every route that takes such an id)", async () => {
    const { isUuid } = await import("../../src/lib/uuid");
    expect(isUuid("0b4fd8b2-6d0f-4b8f-9a36-2a7d6d7c2f1e")).toBe(true);
    expect(isUuid("0B4FD8B2-6D0F-4B8F-9A36-2A7D6D7C2F1E")).toBe(true);
    expect(isUuid("0b4fd8b2-6d0f-4b8f-9a36-2a7d6d7c2f1")).toBe(false);
    expect(isUuid("../0b4fd8b2-6d0f-4b8f-9a36-2a7d6d7c2f1e")).toBe(false);
  });
});
