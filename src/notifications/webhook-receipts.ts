/**
 * Provider webhook bookkeeping (issue 8.9): replays are recognised by their delivery id (`svix-id` /
 * `webhook-id`), and a report about an e-mail not recorded as sent is asked again only for a while.
 */
import type { Env } from "../env";

/**
 * A report about an unknown e-mail may have overtaken the consumer storing the send (a matter of
 * seconds): answered 503 so the provider retries, but only this long after the report's time. Later,
 * the e-mail is not ours (a shared provider account) and the report is dropped with 200 and a log line.
 */
export const UNKNOWN_REPORT_RETRY_MS = 10 * 60_000;

/** Pure: what to answer for a report about an e-mail not recorded as sent. */
export function unknownReportAction(reportTime: string, now: Date): "retry" | "drop" {
  const t = Date.parse(reportTime);
  if (!Number.isFinite(t)) return "drop";
  return now.getTime() - t <= UNKNOWN_REPORT_RETRY_MS ? "retry" : "drop";
}

export async function isHandled(env: Env, deliveryId: string): Promise<boolean> {
  return (
    (await env.DB.prepare("SELECT 1 AS seen FROM email_webhook_receipts WHERE id = ?1").bind(deliveryId).first()) !==
    null
  );
}

/** Remembers a handled delivery (kept for a week, retention.ts). */
export async function markHandled(env: Env, deliveryId: string, now: Date): Promise<void> {
  await env.DB.prepare(
    "INSERT INTO email_webhook_receipts (id, received_at) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING",
  )
    .bind(deliveryId.slice(0, 200), now.toISOString())
    .run();
}
