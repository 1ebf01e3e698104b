/**
 * The e-mail provider interface (SPEC §5.3). Providers are chosen by configuration
 * (`EMAIL_PROVIDER`): SMTP over cloudflare:sockets, or an HTTP e-mail API. The notification
 * pipeline only ever sees this interface.
 */
export interface OutgoingEmail {
  to: string;
  from: string;
  subject: string;
  body: string;
  contentType: "Plain" | "Html";
  /** Stable per notification: a provider that supports it deduplicates retries with it. */
  idempotencyKey: string;
}

export type SendResult =
  | { ok: true; providerMessageId: string }
  /**
   * transient: worth retrying (connection refused, 4xx SMTP reply, 429/5xx). invalidAddress: the recipient
   * address was rejected as malformed. misconfigured: the provider's configuration is wrong (the operator's
   * to fix); never transient.
   */
  | { ok: false; transient: boolean; invalidAddress?: boolean; misconfigured?: boolean; error: string };

export interface EmailProvider {
  readonly name: string;
  send(mail: OutgoingEmail): Promise<SendResult>;
  /** Releases connections kept between sends (SMTP); call once the batch is done. */
  close?(): Promise<void>;
}

/** A delivery-status report from a provider's webhook, already verified and mapped. */
export interface DeliveryReport {
  providerMessageId: string;
  status: "Delivered" | "Failed_Bounced";
  time: string;
}
