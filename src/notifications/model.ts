/** The notification order and its e-mails (SPEC §5): types, statuses and their Altinn descriptions. Pure. */

export type ContentType = "Plain" | "Html";

/** One recipient as ordered: exactly one identifier. */
export type OrderRecipient =
  | { emailAddress: string }
  | { nationalIdentityNumber: string }
  | { organizationNumber: string };

export type OrderStatus = "Registered" | "Processing" | "Completed" | "SendConditionNotMet" | "Cancelled";

export type EmailStatus =
  | "New"
  | "Sending"
  | "Succeeded"
  | "Delivered"
  | "Failed"
  | "Failed_RecipientReserved"
  | "Failed_RecipientNotIdentified"
  | "Failed_InvalidEmailFormat"
  | "Failed_Bounced"
  | "Failed_TTL";

export interface Order {
  id: string;
  creator: string;
  created: string;
  sendersReference: string | null;
  requestedSendTime: string;
  subject: string;
  body: string;
  contentType: ContentType;
  fromAddress: string;
  recipients: OrderRecipient[];
  resourceId: string | null;
  ignoreReservation: boolean;
  conditionEndpoint: string | null;
  status: OrderStatus;
  lastUpdate: string;
  /** "Future" for a shipment of the current order API (src/notifications/future); "Sms" for a v1 SMS order (src/sms: body is the SMS text, recipients may be mobile numbers); else e-mail. */
  notificationChannel?: "Email" | "Sms" | "Future";
  /** An SMS order's sender. */
  senderNumber?: string | null;
  /** Why processing ended as it did, when the stock description does not say (shown as the description). */
  statusReason?: string | null;
}

export interface EmailNotification {
  id: string;
  orderId: string;
  emailAddress: string | null;
  organizationNumber: string | null;
  nationalIdentityNumber: string | null;
  isReserved: boolean | null;
  status: EmailStatus;
  lastUpdate: string;
  /** Why the e-mail failed, when the stock description does not say (a misconfigured provider). */
  statusReason?: string | null;
}

export const ORDER_STATUS_DESCRIPTIONS: Record<OrderStatus, string> = {
  Registered: "Order has been registered and is awaiting requested send time before processing.",
  Processing: "Order processing is ongoing. Notifications are being generated.",
  Completed: "Order processing is completed. All notifications have been generated.",
  SendConditionNotMet: "Order processing was stopped due to send condition not being met.",
  Cancelled: "Order processing was stopped due to order being cancelled.",
};

export const EMAIL_STATUS_DESCRIPTIONS: Record<EmailStatus, string> = {
  New: "The email has been created, but has not been picked up for processing yet.",
  Sending: "The email is being processed and will be attempted sent shortly.",
  Succeeded: "The email has been accepted by the third party email service and will be sent shortly.",
  Delivered:
    "The email was delivered to the recipient. No errors reported, making it likely it was received by the recipient.",
  Failed: "The email was not sent due to an unspecified failure.",
  Failed_RecipientReserved:
    "The email was not sent because the recipient has reserved themselves from electronic communication.",
  Failed_RecipientNotIdentified: "The email was not sent because the recipient's email address was not found.",
  Failed_InvalidEmailFormat: "The email was not sent because the recipient's email address is in an invalid format.",
  Failed_Bounced:
    "The email hard bounced, which may have happened because the email address is invalid or the recipient's domain does not accept emails.",
  Failed_TTL: "The email was not delivered within the time-to-live period.",
};

/** Statuses after which nothing more is sent (Succeeded may still become Delivered or Failed_Bounced by webhook). */
export function isFinal(status: EmailStatus): boolean {
  return status !== "New" && status !== "Sending";
}

export function isSucceeded(status: EmailStatus): boolean {
  return status === "Succeeded" || status === "Delivered";
}

/** An e-mail not handed to the provider within this long after the requested send time fails with Failed_TTL. */
export const EMAIL_TTL_MS = 48 * 3600_000;
/** Grace for a requested send time in the past, and the cancel cut-off before the send time. */
export const FIVE_MINUTES_MS = 5 * 60_000;

/** Cancelling: allowed while registered and due more than five minutes from now; an already cancelled order answers the same. */
export function cancelDecision(
  order: Pick<Order, "status" | "requestedSendTime">,
  now: Date,
): "cancel" | "already" | "conflict" {
  if (order.status === "Cancelled") return "already";
  if (order.status === "Registered" && Date.parse(order.requestedSendTime) - now.getTime() > FIVE_MINUTES_MS)
    return "cancel";
  return "conflict";
}

export interface StatusCounts {
  generated: number;
  succeeded: number;
}

export function countStatuses(statuses: Iterable<EmailStatus>): StatusCounts {
  let generated = 0;
  let succeeded = 0;
  for (const s of statuses) {
    generated++;
    if (isSucceeded(s)) succeeded++;
  }
  return { generated, succeeded };
}

/** Retry delays (seconds) for transient provider failures: the n-th retry waits schedule[min(n, last)]. */
export const DEFAULT_EMAIL_RETRY_SCHEDULE = [5, 15, 30, 60, 120, 300, 600];

export function retryDelaySeconds(schedule: number[], attempt: number): number {
  return schedule[Math.min(Math.max(attempt - 1, 0), schedule.length - 1)] ?? 60;
}
