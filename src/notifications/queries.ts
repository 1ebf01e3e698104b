/**
 * D1 storage for orders and their e-mails. Lists of ids and rows travel as ONE JSON parameter
 * expanded with `json_each`, so no statement ever comes near D1's 100 bound parameters.
 */
import type { Env } from "../env";
import { splitByBytes } from "../lib/json-chunks";
import type { Draft } from "./resolve";
import type {
  ContentType,
  EmailNotification,
  EmailStatus,
  Order,
  OrderRecipient,
  OrderStatus,
  StatusCounts,
} from "./model";

interface OrderRow {
  id: string;
  creator: string;
  created: string;
  senders_reference: string | null;
  requested_send_time: string;
  subject: string;
  body: string;
  content_type: string;
  from_address: string;
  recipients: string;
  recipient_count: number;
  resource_id: string | null;
  ignore_reservation: number;
  condition_endpoint: string | null;
  status: string;
  last_update: string;
  claim_token: string | null;
  next_recipient: number;
  condition_attempts: number;
  notification_channel?: string;
  sender_number?: string | null;
  status_reason?: string | null;
}

export function toOrder(r: OrderRow): Order {
  return {
    id: r.id,
    creator: r.creator,
    created: r.created,
    sendersReference: r.senders_reference,
    requestedSendTime: r.requested_send_time,
    subject: r.subject,
    body: r.body,
    contentType: r.content_type as ContentType,
    fromAddress: r.from_address,
    recipients: JSON.parse(r.recipients) as OrderRecipient[],
    resourceId: r.resource_id,
    ignoreReservation: r.ignore_reservation === 1,
    conditionEndpoint: r.condition_endpoint,
    status: r.status as OrderStatus,
    lastUpdate: r.last_update,
    ...(r.notification_channel === "Sms"
      ? { notificationChannel: "Sms" as const, senderNumber: r.sender_number ?? null }
      : r.notification_channel === "Future"
        ? { notificationChannel: "Future" as const }
        : {}),
    statusReason: r.status_reason ?? null,
  };
}

export async function insertOrder(env: Env, o: Order): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO notification_orders (id, creator, created, senders_reference, requested_send_time, subject, body, content_type, from_address, recipients, recipient_count, resource_id, ignore_reservation, condition_endpoint, status, last_update)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)`,
  )
    .bind(
      o.id,
      o.creator,
      o.created,
      o.sendersReference,
      o.requestedSendTime,
      o.subject,
      o.body,
      o.contentType,
      o.fromAddress,
      JSON.stringify(o.recipients),
      o.recipients.length,
      o.resourceId,
      o.ignoreReservation ? 1 : 0,
      o.conditionEndpoint,
      o.status,
      o.lastUpdate,
    )
    .run();
}

/** The creator's order; another creator's order is as good as absent. */
export async function getOrder(env: Env, id: string, creator: string): Promise<Order | null> {
  const row = await env.DB.prepare("SELECT * FROM notification_orders WHERE id = ?1 AND creator = ?2")
    .bind(id, creator)
    .first<OrderRow>();
  return row ? toOrder(row) : null;
}

export async function ordersByReference(env: Env, creator: string, ref: string): Promise<Order[]> {
  const { results } = await env.DB.prepare(
    "SELECT * FROM notification_orders WHERE creator = ?1 AND senders_reference = ?2 ORDER BY created, id LIMIT 1000",
  )
    .bind(creator, ref)
    .all<OrderRow>();
  return results.map(toOrder);
}

export async function statusCounts(env: Env, orderId: string): Promise<StatusCounts> {
  const row = await env.DB.prepare(
    "SELECT count(*) AS generated, coalesce(sum(status IN ('Succeeded', 'Delivered')), 0) AS succeeded FROM email_notifications WHERE order_id = ?1",
  )
    .bind(orderId)
    .first<{ generated: number; succeeded: number }>();
  return { generated: row?.generated ?? 0, succeeded: row?.succeeded ?? 0 };
}

interface NotificationRow {
  id: string;
  order_id: string;
  email_address: string | null;
  organization_number: string | null;
  national_identity_number: string | null;
  is_reserved: number | null;
  status: string;
  last_update: string;
  status_reason: string | null;
}

export async function listNotifications(env: Env, orderId: string): Promise<EmailNotification[]> {
  const { results } = await env.DB.prepare(
    "SELECT id, order_id, email_address, organization_number, national_identity_number, is_reserved, status, last_update, status_reason FROM email_notifications WHERE order_id = ?1 ORDER BY seq",
  )
    .bind(orderId)
    .all<NotificationRow>();
  return results.map((r) => ({
    id: r.id,
    orderId: r.order_id,
    emailAddress: r.email_address,
    organizationNumber: r.organization_number,
    nationalIdentityNumber: r.national_identity_number,
    isReserved: r.is_reserved === null ? null : r.is_reserved === 1,
    status: r.status as EmailStatus,
    lastUpdate: r.last_update,
    statusReason: r.status_reason,
  }));
}

/** Atomically cancels a registered order due later than `cutoff`; null when the rule does not hold. */
export async function cancelOrder(
  env: Env,
  id: string,
  creator: string,
  now: Date,
  cutoff: Date,
): Promise<Order | null> {
  const row = await env.DB.prepare(
    "UPDATE notification_orders SET status = 'Cancelled', last_update = ?3 WHERE id = ?1 AND creator = ?2 AND status = 'Registered' AND requested_send_time > ?4 RETURNING *",
  )
    .bind(id, creator, now.toISOString(), cutoff.toISOString())
    .first<OrderRow>();
  return row ? toOrder(row) : null;
}

// ---- processing ----------------------------------------------------------------------------

export interface ClaimedOrder extends Order {
  claimToken: string;
  nextRecipient: number;
  conditionAttempts: number;
}

/**
 * Claims up to `limit` orders in one statement: due registered ones, and processing ones whose
 * claim's lease ran out (a tick died mid-generation, or after the last chunk but before the order
 * was released and completed: taken over, it finishes either). D1 runs a statement alone, so two
 * overlapping ticks can never claim the same order.
 */
export async function claimOrders(
  env: Env,
  now: Date,
  token: string,
  leaseUntil: Date,
  limit: number,
  maxFailures: number,
): Promise<ClaimedOrder[]> {
  const t = now.toISOString();
  // Re-claiming an expired lease still holding its claim token means the last tick died mid-chunk
  // without catching anything (CPU or memory limit; a caught failure clears the token and is counted
  // by recordOrderFailure): it counts as a failure like a caught one, and at `maxFailures` in a row the
  // order stops generating (next_recipient = recipient_count) with the reason; it then completes.
  const { results } = await env.DB.prepare(
    `UPDATE notification_orders
        SET status = 'Processing', claim_token = ?1, lease_until = ?2,
            failures = CASE WHEN status = 'Processing' AND claim_token IS NOT NULL THEN failures + 1 ELSE failures END,
            next_recipient = CASE WHEN status = 'Processing' AND claim_token IS NOT NULL AND failures + 1 >= ?5 THEN recipient_count ELSE next_recipient END,
            status_reason = CASE WHEN status = 'Processing' AND claim_token IS NOT NULL AND failures + 1 >= ?5
              THEN printf('Order processing stopped after %d failed attempts; %d of %d recipients were not processed. Last error: the processing was cut off (time, CPU or memory limit) before it finished a chunk.',
                          failures + 1, recipient_count - next_recipient, recipient_count)
              ELSE status_reason END,
            last_update = CASE WHEN status = 'Registered' OR (claim_token IS NOT NULL AND failures + 1 >= ?5) THEN ?3 ELSE last_update END
      WHERE id IN (
        -- Two index reads, not one OR: claims whose lease ran out first, then due orders oldest first.
        SELECT id FROM (SELECT id FROM notification_orders WHERE status = 'Processing' AND lease_until < ?3 LIMIT ?4)
        UNION ALL
        SELECT id FROM (SELECT id FROM notification_orders
                         WHERE status = 'Registered' AND requested_send_time <= ?3 AND (not_before IS NULL OR not_before <= ?3)
                         ORDER BY requested_send_time LIMIT ?4)
        LIMIT ?4)
      RETURNING *`,
  )
    .bind(token, leaseUntil.toISOString(), t, limit, maxFailures)
    .all<OrderRow>();
  return results.map((r) => ({
    ...toOrder(r),
    claimToken: token,
    nextRecipient: r.next_recipient,
    conditionAttempts: r.condition_attempts,
  }));
}

/** Ends a claim with a final order status (SendConditionNotMet). */
export async function finishOrder(env: Env, id: string, token: string, status: OrderStatus, now: Date): Promise<void> {
  await env.DB.prepare(
    "UPDATE notification_orders SET status = ?3, claim_token = NULL, lease_until = NULL, last_update = ?4 WHERE id = ?1 AND claim_token = ?2",
  )
    .bind(id, token, status, now.toISOString())
    .run();
}

/** An inconclusive send condition: back to Registered, not before `notBefore`. */
export async function postponeOrder(env: Env, id: string, token: string, notBefore: Date, now: Date): Promise<void> {
  await env.DB.prepare(
    "UPDATE notification_orders SET status = 'Registered', claim_token = NULL, lease_until = NULL, condition_attempts = condition_attempts + 1, not_before = ?3, last_update = ?4 WHERE id = ?1 AND claim_token = ?2",
  )
    .bind(id, token, notBefore.toISOString(), now.toISOString())
    .run();
}

/** D1 caps a bound value at 2 MB: one JSON parameter of rows stays well below it. */
export const MAX_JSON_PARAM_BYTES = 1_000_000;

const INSERT_NOTIFICATIONS = `
INSERT INTO email_notifications (id, order_id, dedup_key, email_address, organization_number, national_identity_number,
                                 is_reserved, recipient_name, recipient_number, status, last_update, due_at, expires_at)
SELECT json_extract(value, '$.id'), ?1, json_extract(value, '$.k'), json_extract(value, '$.e'), json_extract(value, '$.o'),
       json_extract(value, '$.n'), json_extract(value, '$.r'), json_extract(value, '$.rn'), json_extract(value, '$.rnum'),
       json_extract(value, '$.s'), ?2, ?2, ?3
  FROM json_each(?4) WHERE true
ON CONFLICT (order_id, dedup_key) DO NOTHING`;

/**
 * Stores a chunk's notifications and the order's progress in one transaction (one D1 batch), the rows
 * split into JSON parameters of at most MAX_JSON_PARAM_BYTES. Addresses already stored for the order
 * are skipped (the unique key), so a chunk redone after a lost lease adds nothing twice. The new
 * e-mails wait for the feeder (enqueued_at NULL). A stored chunk clears the order's failure count.
 */
export async function saveChunk(
  env: Env,
  orderId: string,
  token: string,
  drafts: Draft[],
  nextRecipient: number,
  now: Date,
  expiresAt: string,
  leaseUntil: Date,
): Promise<void> {
  const t = now.toISOString();
  const rows = drafts.map((d) => ({
    id: crypto.randomUUID(),
    k: d.dedupKey,
    e: d.emailAddress,
    o: d.organizationNumber,
    n: d.nationalIdentityNumber,
    r: d.isReserved === null ? null : d.isReserved ? 1 : 0,
    rn: d.recipientName,
    rnum: d.recipientNumber,
    s: d.status,
  }));
  const inserts = splitByBytes(rows, MAX_JSON_PARAM_BYTES).map((part) =>
    env.DB.prepare(INSERT_NOTIFICATIONS).bind(orderId, t, expiresAt, part),
  );
  const progress = env.DB.prepare(
    "UPDATE notification_orders SET next_recipient = max(next_recipient, ?3), lease_until = ?4, failures = 0 WHERE id = ?1 AND claim_token = ?2",
  ).bind(orderId, token, nextRecipient, leaseUntil.toISOString());
  await env.DB.batch([...inserts, progress]);
}

/**
 * A claimed order's processing failed. Below `maxFailures` in a row the claim is dropped and the order
 * is taken over again after `retryAt`; at `maxFailures` generation stops for good: the order keeps the
 * e-mails made so far, the reason goes on its status, and it completes once they are final.
 */
export async function recordOrderFailure(
  env: Env,
  id: string,
  token: string,
  error: string,
  maxFailures: number,
  retryAt: Date,
  now: Date,
): Promise<boolean> {
  const row = await env.DB.prepare(
    `UPDATE notification_orders
        SET failures = failures + 1, claim_token = NULL,
            lease_until = CASE WHEN failures + 1 >= ?3 THEN NULL ELSE ?4 END,
            next_recipient = CASE WHEN failures + 1 >= ?3 THEN recipient_count ELSE next_recipient END,
            status_reason = CASE WHEN failures + 1 >= ?3
              THEN printf('Order processing stopped after %d failed attempts; %d of %d recipients were not processed. Last error: %s',
                          failures + 1, recipient_count - next_recipient, recipient_count, ?5)
              ELSE status_reason END,
            last_update = CASE WHEN failures + 1 >= ?3 THEN ?6 ELSE last_update END
      WHERE id = ?1 AND claim_token = ?2
      RETURNING next_recipient >= recipient_count AND lease_until IS NULL AS stopped`,
  )
    .bind(id, token, maxFailures, retryAt.toISOString(), error.slice(0, 300), now.toISOString())
    .first<{ stopped: number }>();
  return row?.stopped === 1;
}

/**
 * Stops generating a claimed order with a reason (the rest of its recipients are never reached); it
 * completes once what was already made is final.
 */
export async function stopGeneration(env: Env, id: string, token: string, reason: string, now: Date): Promise<void> {
  await env.DB.prepare(
    `UPDATE notification_orders
        SET status_reason = printf('%s %d of %d recipients were not processed.', ?3, recipient_count - next_recipient, recipient_count),
            next_recipient = recipient_count, claim_token = NULL, lease_until = NULL, last_update = ?4
      WHERE id = ?1 AND claim_token = ?2`,
  )
    .bind(id, token, reason.slice(0, 400), now.toISOString())
    .run();
}

/** Ends the generation claim; the order stays Processing until its e-mails are final. */
export async function releaseOrder(env: Env, id: string, token: string): Promise<void> {
  await env.DB.prepare(
    "UPDATE notification_orders SET claim_token = NULL, lease_until = NULL WHERE id = ?1 AND claim_token = ?2",
  )
    .bind(id, token)
    .run();
}

/** Orders whose generation is done and whose every e-mail (and SMS, for a shipment with both) is final become Completed. */
export async function completeOrders(env: Env, orderIds: string[], now: Date): Promise<void> {
  if (!orderIds.length) return;
  await env.DB.prepare(
    `UPDATE notification_orders SET status = 'Completed', last_update = ?2
      WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'Processing' AND next_recipient >= recipient_count
        AND NOT EXISTS (SELECT 1 FROM email_notifications n WHERE n.order_id = notification_orders.id AND n.status IN ('New', 'Sending'))
        AND NOT EXISTS (SELECT 1 FROM sms_notifications s WHERE s.order_id = notification_orders.id AND s.status IN ('New', 'Sending'))`,
  )
    .bind(JSON.stringify([...new Set(orderIds)]), now.toISOString())
    .run();
}

// ---- sending -------------------------------------------------------------------------------

export interface SendJob {
  id: string;
  orderId: string;
  emailAddress: string;
  recipientName: string;
  recipientNumber: string;
  attempts: number;
  subject: string;
  body: string;
  contentType: ContentType;
  fromAddress: string;
}

/**
 * Moves New (due) or lease-expired Sending e-mails to Sending in one statement, so a redelivered
 * message never sends twice at the same time and a Succeeded e-mail is never sent again.
 */
export async function claimForSending(
  env: Env,
  ids: string[],
  now: Date,
  leaseUntil: Date,
  dueSlack: Date,
): Promise<SendJob[]> {
  if (!ids.length) return [];
  const t = now.toISOString();
  const { results } = await env.DB.prepare(
    `UPDATE email_notifications SET status = 'Sending', sending_until = ?2, attempts = attempts + 1, last_update = ?1
      WHERE id IN (SELECT value FROM json_each(?3)) AND email_address IS NOT NULL AND expires_at >= ?1
        AND ((status = 'New' AND due_at <= ?4) OR (status = 'Sending' AND sending_until < ?1))
      RETURNING id, order_id, email_address, recipient_name, recipient_number, attempts`,
  )
    .bind(t, leaseUntil.toISOString(), JSON.stringify(ids), dueSlack.toISOString())
    .all<{
      id: string;
      order_id: string;
      email_address: string;
      recipient_name: string;
      recipient_number: string;
      attempts: number;
    }>();
  if (!results.length) return [];
  const orderIds = [...new Set(results.map((r) => r.order_id))];
  const { results: orders } = await env.DB.prepare(
    "SELECT id, subject, body, content_type, from_address FROM notification_orders WHERE id IN (SELECT value FROM json_each(?1))",
  )
    .bind(JSON.stringify(orderIds))
    .all<{ id: string; subject: string; body: string; content_type: string; from_address: string }>();
  const byId = new Map(orders.map((o) => [o.id, o]));
  return results.flatMap((r) => {
    const o = byId.get(r.order_id);
    if (!o) return [];
    return [
      {
        id: r.id,
        orderId: r.order_id,
        emailAddress: r.email_address,
        recipientName: r.recipient_name,
        recipientNumber: r.recipient_number,
        attempts: r.attempts,
        subject: o.subject,
        body: o.body,
        contentType: o.content_type as ContentType,
        fromAddress: o.from_address,
      },
    ];
  });
}

/** A notification's place in the send pipeline (e-mail or SMS: the two tables share these columns). */
export interface PendingState<S extends string = EmailStatus> {
  id: string;
  orderId: string;
  status: S;
  dueAt: string;
  expiresAt: string;
  sendingUntil: string | null;
}

/** The pending state of the given notifications of one channel's table. */
export async function pendingStatesIn<S extends string>(
  env: Env,
  table: "email_notifications" | "sms_notifications",
  ids: string[],
): Promise<PendingState<S>[]> {
  if (!ids.length) return [];
  const { results } = await env.DB.prepare(
    `SELECT id, order_id, status, due_at, expires_at, sending_until FROM ${table} WHERE id IN (SELECT value FROM json_each(?1))`,
  )
    .bind(JSON.stringify(ids))
    .all<{
      id: string;
      order_id: string;
      status: string;
      due_at: string;
      expires_at: string;
      sending_until: string | null;
    }>();
  return results.map((r) => ({
    id: r.id,
    orderId: r.order_id,
    status: r.status as S,
    dueAt: r.due_at,
    expiresAt: r.expires_at,
    sendingUntil: r.sending_until,
  }));
}

export function pendingStates(env: Env, ids: string[]): Promise<PendingState[]> {
  return pendingStatesIn<EmailStatus>(env, "email_notifications", ids);
}

export type SendOutcome =
  | { id: string; status: "Succeeded"; providerMessageId: string }
  | { id: string; status: "Failed" | "Failed_InvalidEmailFormat" | "Failed_TTL"; error: string; reason?: string }
  | { id: string; status: "New"; dueAt: string; error: string; enqueued: boolean };

/** Records the outcomes of one batch of sends; only rows this consumer holds in Sending are touched. */
export async function recordOutcomes(env: Env, outcomes: SendOutcome[], now: Date): Promise<void> {
  if (!outcomes.length) return;
  const t = now.toISOString();
  const rows = outcomes.map((o) => ({
    id: o.id,
    s: o.status,
    p: o.status === "Succeeded" ? o.providerMessageId : null,
    d: o.status === "New" ? o.dueAt : null,
    err: "error" in o ? o.error.slice(0, 500) : null,
    q: o.status === "New" && !o.enqueued ? 0 : 1,
    why: "reason" in o ? (o.reason ?? null) : null,
  }));
  await env.DB.prepare(
    `UPDATE email_notifications
        SET status = json_extract(j.value, '$.s'), last_update = ?1, sending_until = NULL,
            provider_message_id = coalesce(json_extract(j.value, '$.p'), provider_message_id),
            due_at = coalesce(json_extract(j.value, '$.d'), due_at),
            last_error = json_extract(j.value, '$.err'), status_reason = json_extract(j.value, '$.why'),
            enqueued_at = CASE WHEN json_extract(j.value, '$.q') = 1 THEN ?1 ELSE NULL END
       FROM json_each(?2) AS j
      WHERE email_notifications.id = json_extract(j.value, '$.id') AND email_notifications.status = 'Sending'`,
  )
    .bind(t, JSON.stringify(rows))
    .run();
}

/** Sends claimed but not started in time: back to New, due now, the claim's attempt not counted. */
export async function releaseSends(env: Env, ids: string[], now: Date): Promise<void> {
  if (!ids.length) return;
  await env.DB.prepare(
    `UPDATE email_notifications SET status = 'New', sending_until = NULL, due_at = ?2, enqueued_at = ?2, attempts = max(attempts - 1, 0)
      WHERE id IN (SELECT value FROM json_each(?1)) AND status = 'Sending'`,
  )
    .bind(JSON.stringify(ids), now.toISOString())
    .run();
}

/** Marks e-mails Failed_TTL by id (found expired when their message arrived). */
export async function expireByIds(env: Env, ids: string[], now: Date): Promise<void> {
  if (!ids.length) return;
  await env.DB.prepare(
    "UPDATE email_notifications SET status = 'Failed_TTL', last_update = ?2, sending_until = NULL WHERE id IN (SELECT value FROM json_each(?1)) AND (status = 'New' OR (status = 'Sending' AND sending_until < ?2))",
  )
    .bind(JSON.stringify(ids), now.toISOString())
    .run();
}

/** Has any e-mail been recorded as sent under this provider message id? */
export async function isKnownProviderMessage(env: Env, providerMessageId: string): Promise<boolean> {
  return (
    (await env.DB.prepare("SELECT 1 AS known FROM email_notifications WHERE provider_message_id = ?1 LIMIT 1")
      .bind(providerMessageId)
      .first()) !== null
  );
}

/** Delivery reports from a provider's webhook: Succeeded → Delivered or Failed_Bounced (a later bounce overrides Delivered). */
export async function applyDeliveryReport(
  env: Env,
  providerMessageId: string,
  status: "Delivered" | "Failed_Bounced",
  time: string,
): Promise<string | null> {
  const row = await env.DB.prepare(
    `UPDATE email_notifications SET status = ?2, last_update = ?3
      WHERE provider_message_id = ?1 AND (status = 'Succeeded' OR (status = 'Delivered' AND ?2 = 'Failed_Bounced'))
      RETURNING order_id`,
  )
    .bind(providerMessageId, status, time)
    .first<{ order_id: string }>();
  return row?.order_id ?? null;
}
