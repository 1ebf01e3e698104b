/** `GET /orders/{id}/notifications/sms` (reference §1.2), Altinn's field names. Pure. */
import type { Order } from "../notifications/model";
import { isSmsSucceeded, SMS_STATUS_DESCRIPTIONS, v1StatusName } from "./model";
import type { SmsNotification } from "./queries";

export function smsSummaryView(o: Order, list: SmsNotification[]) {
  return {
    orderId: o.id,
    sendersReference: o.sendersReference,
    generated: list.length,
    succeeded: list.filter((n) => isSmsSucceeded(n.status)).length,
    notifications: list.map((n) => ({
      id: n.id,
      succeeded: isSmsSucceeded(n.status),
      recipient: {
        ...(n.organizationNumber ? { organizationNumber: n.organizationNumber } : {}),
        ...(n.nationalIdentityNumber ? { nationalIdentityNumber: n.nationalIdentityNumber } : {}),
        // Reserved and unidentified recipients have no number: "" as Altinn answers. A reserved
        // person's number (held only to send, ignoreReservation) is never shown (SPEC §5.3).
        mobileNumber: n.isReserved ? "" : (n.mobileNumber ?? ""),
      },
      sendStatus: {
        status: v1StatusName(n.status),
        description: SMS_STATUS_DESCRIPTIONS[n.status],
        lastUpdate: n.lastUpdate,
      },
    })),
  };
}
