/** SMS notifications (SPEC §5.4, reference §1.2): statuses and their Altinn descriptions, TTL. Pure. */

export const SMS_STATUSES = [
  "New",
  "Sending",
  "Accepted",
  "Delivered",
  "Failed",
  "Failed_InvalidRecipient",
  "Failed_RecipientReserved",
  "Failed_BarredReceiver",
  "Failed_Deleted",
  "Failed_Expired",
  "Failed_Undelivered",
  "Failed_RecipientNotIdentified",
  "Failed_Rejected",
  "Failed_TTL",
] as const;

export type SmsStatus = (typeof SMS_STATUSES)[number];

export const SMS_STATUS_DESCRIPTIONS: Record<SmsStatus, string> = {
  New: "The SMS has been created, but has not been picked up for processing yet.",
  Sending: "The SMS is being processed and will be attempted sent shortly.",
  Accepted: "The SMS has been accepted by the gateway service and will be sent shortly.",
  Delivered: "The SMS was successfully delivered to its destination.",
  Failed: "The SMS was not delivered due to an unspecified failure.",
  Failed_InvalidRecipient: "The SMS was not delivered because the recipient's mobile number was invalid.",
  Failed_RecipientReserved:
    "The SMS was not sent because the recipient has reserved themselves from electronic communication.",
  Failed_BarredReceiver: "The SMS was not delivered because the recipient's number is barred, blocked or not in use.",
  Failed_Deleted: "The SMS was not delivered because the message has been deleted.",
  Failed_Expired: "The SMS was not delivered because it has expired.",
  Failed_Undelivered: "The SMS was not delivered due to invalid number or no available route to destination.",
  Failed_RecipientNotIdentified: "The SMS was not delivered because the recipient's mobile number was not found.",
  Failed_Rejected: "The SMS was not delivered because it was rejected.",
  Failed_TTL: "The SMS was in indefinite state Accepted for too long (TTL), and was subsequently set to failed.",
};

/** Accepted by the gateway or delivered: what the v1 summary counts as succeeded. */
export function isSmsSucceeded(status: SmsStatus): boolean {
  return status === "Accepted" || status === "Delivered";
}

/** The v1 summary reports Failed_TTL as "Failed" (keeping the TTL description), reference §1.2. */
export function v1StatusName(status: SmsStatus): string {
  return status === "Failed_TTL" ? "Failed" : status;
}

/** An SMS not accepted by the gateway within this long after the requested send time fails with Failed_TTL. */
export const SMS_TTL_MS = 48 * 3600_000;
/** Accepted SMS without a final delivery report this long after their expiry become Failed_TTL (Altinn: 300 s). */
export const SMS_EXPIRY_OFFSET_MS = 300_000;
/**
 * A due SMS handed to the queue this long ago and still `New` was lost on the way (a message dropped,
 * a consumer that died before claiming it): the sweep puts it back to waiting and the feed hands it
 * over again. A duplicate message is harmless, because the consumer claims each SMS before sending it.
 */
export const SMS_REQUEUE_AFTER_MS = 180_000;
/** The sender when the order names none (Altinn's DefaultSmsSenderNumber). */
export const DEFAULT_SENDER = "Altinn";
/** Retry delays (seconds) after a transient gateway failure; SMS_RETRY_SCHEDULE overrides. */
export const DEFAULT_SMS_RETRY_SCHEDULE = [5, 15, 30, 60, 120, 300, 600];
