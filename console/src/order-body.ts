// The body of a new order as the console sends it (POST /orders/email or /orders/sms). Pure.

export type Channel = "email" | "sms";

/**
 * One line of the recipients box. E-mail: an address, a national identity number (11 digits) or an
 * organisation number (9 digits). SMS: a mobile number (starting with + or 00), or either number.
 * Anything else goes to the API as an address or mobile number, and the API says what is wrong.
 */
export function recipientOf(line: string, channel: Channel = "email"): Record<string, string> {
  const v = line.trim();
  if (channel === "sms" && /^(\+|00)/.test(v)) return { mobileNumber: v };
  if (/^\d{11}$/.test(v)) return { nationalIdentityNumber: v };
  if (/^\d{9}$/.test(v)) return { organizationNumber: v };
  return channel === "sms" ? { mobileNumber: v } : { emailAddress: v };
}

/** The order's body for POST /orders/email or POST /orders/sms (SPEC §5.1, §5.4). Pure. */
export function orderBody(channel: Channel, d: OrderDraft): Record<string, unknown> {
  const recipients = d.recipients
    .split(/[\n,;]+/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => recipientOf(l, channel));
  return {
    recipients,
    ...(channel === "email"
      ? { subject: d.subject, body: d.body }
      : { body: d.body, ...(d.senderNumber ? { senderNumber: d.senderNumber } : {}) }),
    ...(d.sendersReference ? { sendersReference: d.sendersReference } : {}),
    ...(d.resourceId ? { resourceId: d.resourceId } : {}),
    ...(d.requestedSendTime ? { requestedSendTime: d.requestedSendTime } : {}),
  };
}

export interface OrderDraft {
  recipients: string;
  subject: string;
  senderNumber: string;
  body: string;
  sendersReference: string;
  resourceId: string;
  requestedSendTime: string;
}
