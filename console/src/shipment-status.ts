// A current-API shipment's statuses (`Order_*`, `Email_*`, `SMS_*`, SPEC §5.5) in words: the
// descriptions are the API's own v1 texts (one place: src/notifications/model.ts, src/sms/model.ts). Pure.
import {
  EMAIL_STATUS_DESCRIPTIONS,
  type EmailStatus,
  ORDER_STATUS_DESCRIPTIONS,
  type OrderStatus,
} from "../../src/notifications/model";
import { SMS_STATUS_DESCRIPTIONS, type SmsStatus } from "../../src/sms/model";

const PROCESSED = "All notifications have been generated; their final statuses are awaited.";

/** The description of a shipment's or a recipient's lifecycle status; "" for one the API does not describe. */
export function lifecycleDescription(status: string): string {
  const [, prefix, name = ""] = /^(Order|Email|SMS)_(.*)$/.exec(status) ?? [];
  if (prefix === "Order")
    return name === "Processed" ? PROCESSED : (ORDER_STATUS_DESCRIPTIONS[name as OrderStatus] ?? "");
  if (prefix === "Email") {
    const v1 = name === "Failed_InvalidFormat" ? "Failed_InvalidEmailFormat" : name;
    return EMAIL_STATUS_DESCRIPTIONS[v1 as EmailStatus] ?? "";
  }
  if (prefix === "SMS") return SMS_STATUS_DESCRIPTIONS[name as SmsStatus] ?? "";
  return "";
}

/** The status without its prefix, for the status tag (`Email_Succeeded` → `Succeeded`). */
export function statusName(status: string): string {
  return status.replace(/^(Order|Email|SMS)_/, "");
}

/** A current-API shipment in the orders list: "Current API · EmailAndSms · reminder". */
export function shipmentChannelText(o: { channelSchema?: string; shipmentType?: string }): string {
  const type = o.shipmentType === "Reminder" ? " · reminder" : o.shipmentType === "Instant" ? " · instant" : "";
  return `Current API · ${o.channelSchema ?? "?"}${type}`;
}
