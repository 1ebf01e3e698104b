/**
 * Reading shipments and the status feed (SPEC §5.5, reference §4): the shipment with its recipients'
 * statuses in Altinn's ProcessingLifecycle names, and the feed's pages. Mappings are pure.
 */
import type { Env } from "../../env";

/** Our order status as Altinn's `Order_*`; a shipment generated and awaiting final reports is `Order_Processed`. */
export function orderLifecycle(status: string, generated: boolean): string {
  return status === "Processing" && generated ? "Order_Processed" : `Order_${status}`;
}

export function emailLifecycle(status: string): string {
  return `Email_${status === "Failed_InvalidEmailFormat" ? "Failed_InvalidFormat" : status}`;
}

export function smsLifecycle(status: string): string {
  return `SMS_${status}`;
}

interface ShipmentRow {
  id: string;
  senders_reference: string | null;
  shipment_type: string;
  status: string;
  last_update: string;
  next_recipient: number;
  recipient_count: number;
  claim_token: string | null;
  dialogporten: string | null;
}

/** The caller's shipment; another org's id is as unknown as a made-up one. */
export async function shipmentView(env: Env, id: string, creator: string): Promise<Record<string, unknown> | null> {
  const row = await env.DB.prepare(
    `SELECT id, senders_reference, shipment_type, status, last_update, next_recipient, recipient_count, claim_token, dialogporten
       FROM notification_orders WHERE id = ?1 AND creator = ?2 AND notification_channel = 'Future'`,
  )
    .bind(id, creator)
    .first<ShipmentRow>();
  if (!row) return null;
  const [emails, sms] = await env.DB.batch<{ d: string | null; s: string; u: string }>([
    env.DB.prepare(
      "SELECT email_address AS d, status AS s, last_update AS u FROM email_notifications WHERE order_id = ?1 ORDER BY seq",
    ).bind(id),
    env.DB.prepare(
      "SELECT mobile_number AS d, status AS s, last_update AS u FROM sms_notifications WHERE order_id = ?1 ORDER BY seq",
    ).bind(id),
  ]);
  const generated = row.next_recipient >= row.recipient_count && row.claim_token === null;
  return {
    shipmentId: row.id,
    ...(row.senders_reference !== null ? { sendersReference: row.senders_reference } : {}),
    type: row.shipment_type,
    status: orderLifecycle(row.status, generated),
    lastUpdate: row.last_update,
    // Varsel returns the stored Dialogporten ids too (Altinn stores them without returning them).
    ...(row.dialogporten ? { dialogportenAssociation: JSON.parse(row.dialogporten) as unknown } : {}),
    recipients: [
      ...(emails?.results ?? []).map((r) => ({
        type: "Email",
        destination: r.d ?? "",
        status: emailLifecycle(r.s),
        lastUpdate: r.u,
      })),
      ...(sms?.results ?? []).map((r) => ({
        type: "SMS",
        destination: r.d ?? "",
        status: smsLifecycle(r.s),
        lastUpdate: r.u,
      })),
    ],
  };
}

export const FEED_MAX_PAGE = 500;

/** Reference §4.2: below 1 → 1, above 500 → 500, absent → 500 (no error). */
export function clampPageSize(n: number | undefined): number {
  if (n === undefined) return FEED_MAX_PAGE;
  return Math.min(FEED_MAX_PAGE, Math.max(1, n));
}

export const FEED_ASC_SQL =
  "SELECT seq, entry FROM future_status_feed WHERE creator = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";
export const FEED_DESC_SQL =
  "SELECT seq, entry FROM future_status_feed WHERE creator = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3";

/** One page of the caller's feed; the cursor is exclusive (desc with seq 0: newest first, unbounded). */
export async function feedPage(
  env: Env,
  creator: string,
  seq: number,
  pageSize: number,
  orderBy: "Asc" | "Desc",
): Promise<Record<string, unknown>[]> {
  const desc = orderBy === "Desc";
  const bound = desc && seq === 0 ? Number.MAX_SAFE_INTEGER : seq;
  const { results } = await env.DB.prepare(desc ? FEED_DESC_SQL : FEED_ASC_SQL)
    .bind(creator, bound, pageSize)
    .all<{ seq: number; entry: string }>();
  return results.map((r) => {
    const e = JSON.parse(r.entry) as Record<string, unknown>;
    if (e.sendersReference === null) delete e.sendersReference;
    return { sequenceNumber: r.seq, ...e };
  });
}
