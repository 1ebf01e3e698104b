/**
 * SPEC §5.3: a reserved person's e-mail address or mobile number is never kept on a notification. With
 * `ignoreReservation` it must be held to send; once the notification is final (nothing more is sent to
 * it) the cron scrubs it here: address/number and the de-duplication key that spells it. Views never
 * show it meanwhile. Bounded per tick; the partial indexes of migration 0015 find what is still held.
 */
import type { Env } from "../env";

export const SCRUB_BATCH = 500;

export async function scrubReservedContacts(env: Env, limit = SCRUB_BATCH): Promise<void> {
  await env.DB.batch([
    env.DB.prepare(
      `UPDATE email_notifications SET email_address = NULL, dedup_key = 'reserved:' || seq
        WHERE seq IN (SELECT seq FROM email_notifications WHERE is_reserved = 1 AND email_address IS NOT NULL
                        AND status NOT IN ('New', 'Sending') LIMIT ?1)`,
    ).bind(limit),
    // Accepted SMS still await their delivery report (matched by the gateway's reference, not the number).
    env.DB.prepare(
      `UPDATE sms_notifications SET mobile_number = NULL, dedup_key = 'reserved:' || seq
        WHERE seq IN (SELECT seq FROM sms_notifications WHERE is_reserved = 1 AND mobile_number IS NOT NULL
                        AND status NOT IN ('New', 'Sending', 'Accepted') LIMIT ?1)`,
    ).bind(limit),
  ]);
}
