/**
 * D1 storage for SMS orders and their SMS. Orders share `notification_orders` with e-mail orders
 * (notification_channel = 'Sms'); SMS live in `sms_notifications`. Lists travel as ONE JSON parameter
 * expanded with `json_each`, so no statement comes near D1's 100 bound parameters.
 */
import type { Env } from "../env";
import type { Order, StatusCounts } from "../notifications/model";
import type { SmsStatus } from "./model";
import { pendingStatesIn, type PendingState } from "../notifications/queries";
import type { SmsDraft } from "./resolve";
import type { SmsRecipient } from "./schemas";

/** Hot statements, exported for the query-plan tests. */
export const EXPIRE_SQL = `UPDATE sms_notifications SET status = 'Failed_TTL', last_update = ?1, sending_until = NULL
      WHERE id IN (
        SELECT id FROM sms_notifications WHERE status IN ('New', 'Sending')
           AND (status = 'New' OR (status = 'Sending' AND sending_until < ?1)) AND expires_at < ?1
        UNION ALL
        SELECT id FROM sms_notifications WHERE status = 'Accepted' AND expires_at < ?2
        LIMIT ?3)
      RETURNING order_id`;
export const APPLY_REPORT_SQL =
  "UPDATE sms_notifications SET status = ?2, last_update = ?3 WHERE gateway_reference = ?1 AND status = 'Accepted' AND expires_at > ?3 RETURNING order_id";

export async function insertSmsOrder(env: Env, o: Order, recipients: SmsRecipient[]): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO notification_orders (id, creator, created, senders_reference, requested_send_time, subject, body, content_type, from_address, recipients, recipient_count,
       resource_id, ignore_reservation, condition_endpoint, status, last_update, notification_channel, sender_number)
     VALUES (?1, ?2, ?3, ?4, ?5, '', ?6, 'Plain', '', ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'Sms', ?14)`,
  )
    .bind(
      o.id,
      o.creator,
      o.created,
      o.sendersReference,
      o.requestedSendTime,
      o.body,
      JSON.stringify(recipients),
      recipients.length,
      o.resourceId,
      o.ignoreReservation ? 1 : 0,
      o.conditionEndpoint,
      o.status,
      o.lastUpdate,
      o.senderNumber ?? "",
    )
    .run();
}

export async function smsStatusCounts(env: Env, orderId: string): Promise<StatusCounts> {
  const row = await env.DB.prepare(
    "SELECT count(*) AS generated, coalesce(sum(status IN ('Accepted', 'Delivered')), 0) AS succeeded FROM sms_notifications WHERE order_id = ?1",
  )
    .bind(orderId)
    .first<{ generated: number; succeeded: number }>();
  return { generated: row?.generated ?? 0, succeeded: row?.succeeded ?? 0 };
}

export interface SmsNotification {
  id: string;
  mobileNumber: string | null;
  organizationNumber: string | null;
  nationalIdentityNumber: string | null;
  status: SmsStatus;
  lastUpdate: string;
  isReserved: boolean;
}

export async function listSms(env: Env, orderId: string): Promise<SmsNotification[]> {
  const { results } = await env.DB.prepare(
    "SELECT id, mobile_number, organization_number, national_identity_number, status, last_update, is_reserved FROM sms_notifications WHERE order_id = ?1 ORDER BY seq",
  )
    .bind(orderId)
    .all<{
      id: string;
      mobile_number: string | null;
      organization_number: string | null;
      national_identity_number: string | null;
      status: string;
      last_update: string;
      is_reserved: number | null;
    }>();
  return results.map((r) => ({
    isReserved: r.is_reserved === 1,
    id: r.id,
    mobileNumber: r.mobile_number,
    organizationNumber: r.organization_number,
    nationalIdentityNumber: r.national_identity_number,
    status: r.status as SmsStatus,
    lastUpdate: r.last_update,
  }));
}

/**
 * Stores a chunk's SMS and the order's progress in one transaction; numbers already stored for the
 * order are skipped (the unique key). They wait (`enqueued_at` NULL) until the feed hands them over
 * in sessions (feed.ts), when due. Returns the ids stored.
 */
export async function saveSmsChunk(
  env: Env,
  a: {
    orderId: string;
    token: string;
    drafts: SmsDraft[];
    nextRecipient: number;
    now: Date;
    dueAt: Date;
    expiresAt: string;
    leaseUntil: Date;
  },
): Promise<string[]> {
  const t = a.now.toISOString();
  const rows = a.drafts.map((d) => ({
    id: crypto.randomUUID(),
    k: d.dedupKey,
    m: d.mobileNumber,
    o: d.organizationNumber,
    n: d.nationalIdentityNumber,
    rn: d.recipientName,
    rnum: d.recipientNumber,
    s: d.status,
    r: d.isReserved ? 1 : null,
  }));
  const insert = env.DB.prepare(
    `INSERT INTO sms_notifications (id, order_id, dedup_key, mobile_number, organization_number, national_identity_number, recipient_name, recipient_number, status, last_update, due_at, expires_at, enqueued_at, is_reserved)
     SELECT value->>'id', ?1, value->>'k', value->>'m', value->>'o', value->>'n', value->>'rn', value->>'rnum', value->>'s', ?2, ?3, ?4,
            NULL, value->>'r'
       FROM json_each(?5) WHERE true
     ON CONFLICT (order_id, dedup_key) DO NOTHING
     RETURNING id, status`,
  ).bind(a.orderId, t, a.dueAt.toISOString(), a.expiresAt, JSON.stringify(rows));
  const progress = env.DB.prepare(
    "UPDATE notification_orders SET next_recipient = max(next_recipient, ?3), lease_until = ?4, failures = 0 WHERE id = ?1 AND claim_token = ?2",
  ).bind(a.orderId, a.token, a.nextRecipient, a.leaseUntil.toISOString());
  const [inserted] = await env.DB.batch<{ id: string; status: string }>([insert, progress]);
  return (inserted?.results ?? []).map((r) => r.id);
}

/** SMS orders (and shipments) whose generation is done and whose every SMS and e-mail left New/Sending become Completed. */
export async function completeSmsOrders(env: Env, orderIds: string[], now: Date): Promise<void> {
  if (!orderIds.length) return;
  await env.DB.prepare(
    `UPDATE notification_orders SET status = 'Completed', last_update = ?2
      WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'Processing' AND notification_channel IN ('Sms', 'Future') AND next_recipient >= recipient_count
        AND NOT EXISTS (SELECT 1 FROM sms_notifications n WHERE n.order_id = notification_orders.id AND n.status IN ('New', 'Sending'))
        AND NOT EXISTS (SELECT 1 FROM email_notifications e WHERE e.order_id = notification_orders.id AND e.status IN ('New', 'Sending'))`,
  )
    .bind(JSON.stringify([...new Set(orderIds)]), now.toISOString())
    .run();
}

/**
 * Failed_TTL: SMS never accepted by the gateway before their expiry, and Accepted ones with no final
 * delivery report `offsetMs` after it (reference §1.2). Returns the orders touched.
 */
export async function expireSms(env: Env, now: Date, offsetMs: number, limit: number): Promise<string[]> {
  const t = now.toISOString();
  const { results } = await env.DB.prepare(EXPIRE_SQL)
    .bind(t, new Date(now.getTime() - offsetMs).toISOString(), limit)
    .all<{ order_id: string }>();
  return results.map((r) => r.order_id);
}

// ---- sending -------------------------------------------------------------------------------

export interface SmsJob {
  id: string;
  orderId: string;
  mobileNumber: string;
  recipientName: string;
  recipientNumber: string;
  attempts: number;
  expiresAt: string;
  body: string;
  senderNumber: string;
}

export const CLAIM_SMS_SQL = `UPDATE sms_notifications SET status = 'Sending', sending_until = ?2, attempts = attempts + 1, last_update = ?1
      WHERE id IN (SELECT value FROM json_each(?3)) AND mobile_number IS NOT NULL AND expires_at >= ?1
        AND ((status = 'New' AND due_at <= ?4) OR (status = 'Sending' AND sending_until < ?1))
      RETURNING id, order_id, mobile_number, recipient_name, recipient_number, attempts, expires_at`;

/** Moves due New (or lease-expired Sending) SMS to Sending in one statement: never sent twice at once. */
export async function claimSmsForSending(
  env: Env,
  ids: string[],
  now: Date,
  leaseUntil: Date,
  dueSlack: Date,
): Promise<SmsJob[]> {
  if (!ids.length) return [];
  const { results } = await env.DB.prepare(CLAIM_SMS_SQL)
    .bind(now.toISOString(), leaseUntil.toISOString(), JSON.stringify(ids), dueSlack.toISOString())
    .all<{
      id: string;
      order_id: string;
      mobile_number: string;
      recipient_name: string;
      recipient_number: string;
      attempts: number;
      expires_at: string;
    }>();
  if (!results.length) return [];
  const { results: orders } = await env.DB.prepare(
    "SELECT id, coalesce(sms_body, body) AS body, sender_number FROM notification_orders WHERE id IN (SELECT value FROM json_each(?1))",
  )
    .bind(JSON.stringify([...new Set(results.map((r) => r.order_id))]))
    .all<{ id: string; body: string; sender_number: string | null }>();
  const byId = new Map(orders.map((o) => [o.id, o]));
  return results.flatMap((r) => {
    const o = byId.get(r.order_id);
    if (!o) return [];
    return [
      {
        id: r.id,
        orderId: r.order_id,
        mobileNumber: r.mobile_number,
        recipientName: r.recipient_name,
        recipientNumber: r.recipient_number,
        attempts: r.attempts,
        expiresAt: r.expires_at,
        body: o.body,
        senderNumber: o.sender_number ?? "",
      },
    ];
  });
}

export type SmsPendingState = PendingState<SmsStatus>;

export function smsPendingStates(env: Env, ids: string[]): Promise<SmsPendingState[]> {
  return pendingStatesIn<SmsStatus>(env, "sms_notifications", ids);
}

export type SmsOutcome =
  | { id: string; status: "Accepted"; gatewayReference: string }
  | { id: string; status: "Failed" | "Failed_InvalidRecipient" | "Failed_TTL"; error: string }
  | { id: string; status: "New"; dueAt: string; error: string; enqueued: boolean };

export const RECORD_SMS_OUTCOMES_SQL = `UPDATE sms_notifications
        SET status = j.value->>'s', last_update = ?1, sending_until = NULL,
            gateway_reference = coalesce(j.value->>'g', gateway_reference),
            due_at = coalesce(j.value->>'d', due_at),
            last_error = j.value->>'err',
            enqueued_at = CASE WHEN j.value->>'q' = 1 THEN ?1 ELSE NULL END
       FROM json_each(?2) AS j
      WHERE sms_notifications.id = j.value->>'id' AND sms_notifications.status = 'Sending'`;

/** One session's outcomes as one statement; only rows still held in Sending are touched. */
export function recordSmsOutcomesStatement(env: Env, outcomes: SmsOutcome[], now: Date): D1PreparedStatement {
  const rows = outcomes.map((o) => ({
    id: o.id,
    s: o.status,
    g: o.status === "Accepted" ? o.gatewayReference : null,
    d: o.status === "New" ? o.dueAt : null,
    err: "error" in o ? o.error.slice(0, 500) : null,
    q: o.status === "New" && !o.enqueued ? 0 : 1,
  }));
  return env.DB.prepare(RECORD_SMS_OUTCOMES_SQL).bind(now.toISOString(), JSON.stringify(rows));
}

/** Claimed sessions never started (the lease was running out): back to New, due now, still handed over. */
export async function releaseSms(env: Env, ids: string[], now: Date): Promise<void> {
  if (!ids.length) return;
  await env.DB.prepare(
    "UPDATE sms_notifications SET status = 'New', sending_until = NULL, attempts = max(0, attempts - 1), last_update = ?2 WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'Sending'",
  )
    .bind(JSON.stringify(ids), now.toISOString())
    .run();
}

/**
 * A delivery report by gateway reference: Accepted → Delivered / Failed_*, only before the SMS's
 * expiry (later reports are ignored, reference §1.2). `unknown` when no SMS carries the reference.
 */
export async function applySmsReport(
  env: Env,
  ref: string,
  status: SmsStatus,
  now: Date,
): Promise<{ outcome: "applied" | "ignored" | "unknown"; orderId?: string }> {
  const t = now.toISOString();
  const row = await env.DB.prepare(APPLY_REPORT_SQL).bind(ref, status, t).first<{ order_id: string }>();
  if (row) return { outcome: "applied", orderId: row.order_id };
  const known = await env.DB.prepare("SELECT 1 AS k FROM sms_notifications WHERE gateway_reference = ?1 LIMIT 1")
    .bind(ref)
    .first();
  return { outcome: known ? "ignored" : "unknown" };
}

/** Of these SMS, those of shipments with the Anytime policy (SPEC §5.5): they go outside the Daytime window too. */
export async function anytimeSms(env: Env, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const { results } = await env.DB.prepare(
    `SELECT n.id FROM sms_notifications n JOIN notification_orders o ON o.id = n.order_id
      WHERE n.id IN (SELECT value FROM json_each(?1)) AND o.sms_policy = 'Anytime'`,
  )
    .bind(JSON.stringify(ids))
    .all<{ id: string }>();
  return new Set(results.map((r) => r.id));
}

/** SMS that may not go now (Daytime, no gateway): back to waiting, due then; the sweep hands them over. */
export async function deferSms(env: Env, ids: string[], dueAt: Date): Promise<void> {
  if (!ids.length) return;
  await env.DB.prepare(
    "UPDATE sms_notifications SET due_at = max(due_at, ?2), enqueued_at = NULL WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'New'",
  )
    .bind(JSON.stringify(ids), dueAt.toISOString())
    .run();
}

/** Marks SMS Failed_TTL by id (found expired when their message arrived). */
export async function expireSmsByIds(env: Env, ids: string[], now: Date): Promise<void> {
  if (!ids.length) return;
  await env.DB.prepare(
    "UPDATE sms_notifications SET status = 'Failed_TTL', last_update = ?2, sending_until = NULL WHERE id IN (SELECT value FROM json_each(?1)) AND (status = 'New' OR (status = 'Sending' AND sending_until < ?2))",
  )
    .bind(JSON.stringify(ids), now.toISOString())
    .run();
}
