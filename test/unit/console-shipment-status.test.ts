// The console's words for a current-API shipment: lifecycle statuses get the API's own descriptions,
// and a list entry says it is a current-API shipment, its channel schema and whether it is a reminder.
import { describe, expect, it } from "vitest";
import { lifecycleDescription, shipmentChannelText, statusName } from "../../console/src/shipment-status";
import { EMAIL_STATUS_DESCRIPTIONS, ORDER_STATUS_DESCRIPTIONS } from "../../src/notifications/model";
import { SMS_STATUS_DESCRIPTIONS } from "../../src/sms/model";

describe("console shipment status", () => {
  it("describes Order_*, Email_* and SMS_* statuses with the API's texts", () => {
    expect(lifecycleDescription("Email_Succeeded")).toBe(EMAIL_STATUS_DESCRIPTIONS.Succeeded);
    expect(lifecycleDescription("Email_Failed_InvalidFormat")).toBe(
      EMAIL_STATUS_DESCRIPTIONS.Failed_InvalidEmailFormat,
    );
    expect(lifecycleDescription("SMS_Delivered")).toBe(SMS_STATUS_DESCRIPTIONS.Delivered);
    expect(lifecycleDescription("Order_Registered")).toBe(ORDER_STATUS_DESCRIPTIONS.Registered);
    expect(lifecycleDescription("Order_Processed")).toMatch(/generated/);
    expect(lifecycleDescription("Email_Unheard_Of")).toBe("");
    expect(lifecycleDescription("Nonsense")).toBe("");
    expect(statusName("SMS_Failed_TTL")).toBe("Failed_TTL");
  });

  it("names a list entry's channel schema and type", () => {
    expect(shipmentChannelText({ channelSchema: "EmailAndSms", shipmentType: "Notification" })).toBe(
      "Current API · EmailAndSms",
    );
    expect(shipmentChannelText({ channelSchema: "Sms", shipmentType: "Reminder" })).toBe(
      "Current API · Sms · reminder",
    );
  });
});
