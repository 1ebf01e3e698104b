/** Response shapes of the order API (SPEC §5.2), Altinn's field names. Pure. */
import {
  EMAIL_STATUS_DESCRIPTIONS,
  ORDER_STATUS_DESCRIPTIONS,
  isSucceeded,
  type EmailNotification,
  type Order,
  type StatusCounts,
} from "./model";

export const ORDERS_PATH = "/notifications/api/v1/orders";

export function orderUrl(baseUrl: string, id: string): string {
  return `${baseUrl}${ORDERS_PATH}/${id}`;
}

function orderFields(o: Order) {
  return {
    id: o.id,
    creator: o.creator,
    sendersReference: o.sendersReference,
    requestedSendTime: o.requestedSendTime,
    created: o.created,
    notificationChannel: o.notificationChannel ?? "Email",
    ignoreReservation: o.ignoreReservation,
    resourceId: o.resourceId,
    conditionEndpoint: o.conditionEndpoint,
  };
}

/** `GET /orders/{id}`: the order as stored. */
export function orderView(o: Order, baseUrl: string) {
  const self = orderUrl(baseUrl, o.id);
  const sms = o.notificationChannel === "Sms";
  return {
    ...orderFields(o),
    recipients: o.recipients.map((r) => ({
      emailAddress: "emailAddress" in r ? r.emailAddress : null,
      mobileNumber: "mobileNumber" in r ? (r as { mobileNumber: string }).mobileNumber : null,
      organizationNumber: "organizationNumber" in r ? r.organizationNumber : null,
      nationalIdentityNumber: "nationalIdentityNumber" in r ? r.nationalIdentityNumber : null,
      isReserved: null,
    })),
    emailTemplate: sms
      ? null
      : { fromAddress: o.fromAddress, subject: o.subject, body: o.body, contentType: o.contentType },
    smsTemplate: sms ? { senderNumber: o.senderNumber ?? "", body: o.body } : null,
    links: { self, status: `${self}/status` },
  };
}

/** `GET /orders/{id}/status` and the cancel answer. */
export function orderStatusView(o: Order, counts: StatusCounts, baseUrl: string) {
  return {
    ...orderFields(o),
    processingStatus: {
      status: o.status,
      description: o.statusReason || ORDER_STATUS_DESCRIPTIONS[o.status],
      lastUpdate: o.lastUpdate,
    },
    notificationsStatusSummary: {
      [o.notificationChannel === "Sms" ? "sms" : "email"]: {
        links: {
          self: `${orderUrl(baseUrl, o.id)}/notifications/${o.notificationChannel === "Sms" ? "sms" : "email"}`,
        },
        generated: counts.generated,
        succeeded: counts.succeeded,
      },
    },
  };
}

/** `GET /orders/{id}/notifications/email`. */
export function notificationsView(o: Order, list: EmailNotification[]) {
  return {
    orderId: o.id,
    sendersReference: o.sendersReference,
    generated: list.length,
    succeeded: list.filter((n) => isSucceeded(n.status)).length,
    notifications: list.map((n) => ({
      id: n.id,
      succeeded: isSucceeded(n.status),
      recipient: {
        // A reserved person's address (held only to send, ignoreReservation) is never shown (SPEC §5.3).
        emailAddress: n.isReserved ? null : n.emailAddress,
        ...(n.organizationNumber ? { organizationNumber: n.organizationNumber } : {}),
        ...(n.nationalIdentityNumber ? { nationalIdentityNumber: n.nationalIdentityNumber } : {}),
        ...(n.isReserved !== null ? { isReserved: n.isReserved } : {}),
      },
      sendStatus: {
        status: n.status,
        description: n.statusReason || EMAIL_STATUS_DESCRIPTIONS[n.status],
        lastUpdate: n.lastUpdate,
      },
    })),
  };
}
