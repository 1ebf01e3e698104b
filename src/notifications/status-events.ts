/**
 * Order status as events (SPEC §5.6). Triggers (migration 0012) record, in the very statement that
 * changes a status, that an event is owed (`status_event_outbox`), whichever path changed it.
 * `publishStatusEvents` turns owed rows into CloudEvents on `urn:altinn:resource:notifications_{org}`
 * and stores them in the events table with the events outbox in one batch with deleting the rows,
 * held in their org's lane, then hands each lane's window to the delivery queue: the same path as any published event (idempotent on
 * (source, id), matched, pushed signed, retried). Every status-changing path calls it after its
 * change; the cron calls it too, so a crash in between only delays an event.
 */
import type { Env } from "../env";
import type { CloudEvent } from "../events/cloudevent";
import { sendToQueue } from "../events/dispatch";
import { EVENTS_LANE_WINDOW, laneOf } from "../events/lanes";
import { appendOwnEvents, partitionedLog } from "../events/log-store";
import { OUTBOX_HELD, settleOutbox } from "../events/outbox";
import { errorText } from "../lib/errors";
import { splitByBytes } from "../lib/json-chunks";
import { RESOURCE_PREFIX } from "../resources/ids";

export type OwedKind = "email" | "sms" | "shipment";

/** One owed event as the trigger recorded it: the status and its time at the change. */
export interface Owed {
  seq: number;
  kind: OwedKind;
  rowId: string;
  orderId: string;
  status: string;
  lastUpdate: string;
  destination: string | null;
}

export interface ShipmentInfo {
  id: string;
  creator: string;
  sendersReference: string | null;
}

export interface FeedRecipient {
  destination: string;
  status: string;
  lastUpdate: string;
}

/** A completion event lists at most this many recipients (the feed entry of a 10,000-recipient order would not fit an event). */
export const MAX_FEED_RECIPIENTS = 500;

/** `urn:altinn:resource:notifications_{org}`: the implicit resource the org's status events are published on. */
export function notificationsResourceUrn(org: string): string {
  return `${RESOURCE_PREFIX}notifications_${org}`;
}

/** The status as the current API and the status feed name it (`Email_Delivered`, `SMS_Accepted`, `Order_Completed`). */
export function lifecycleStatus(kind: OwedKind, status: string): string {
  if (kind === "shipment") return `Order_${status}`;
  if (kind === "sms") return `SMS_${status}`;
  return status === "Failed_InvalidEmailFormat" ? "Email_Failed_InvalidFormat" : `Email_${status}`;
}

/** The event type's last part, or null when this status is not published. */
export function typeSuffix(kind: OwedKind, status: string): string | null {
  if (kind === "shipment")
    return (
      ({ Completed: "completed", SendConditionNotMet: "conditionnotmet", Cancelled: "cancelled" } as const)[
        status as "Completed"
      ] ?? null
    );
  if (status === "Delivered") return "delivered";
  if (status.startsWith("Failed")) return "failed";
  if (kind === "email" && status === "Succeeded") return "succeeded";
  if (kind === "sms" && status === "Accepted") return "accepted";
  return null;
}

/**
 * The event id: a name-based UUID (SHA-1, RFC 9562 version 5 layout) of the row and its status, so a
 * transition recorded twice is one (source, id) and is published once.
 */
export async function statusEventId(kind: OwedKind, rowId: string, status: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-1", new TextEncoder().encode(`varsel:${kind}:${rowId}:${status}`)),
  ).slice(0, 16);
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Pure: the CloudEvent for one owed status, or null when nothing is published for it. A notification's
 * data is `{shipmentId, notificationId, destination, status, lastUpdate}` (no destination for a reserved
 * recipient); a shipment's is its status-feed entry (reference §4.2).
 */
export function buildStatusEvent(
  owed: Owed,
  shipment: ShipmentInfo,
  id: string,
  recipients: FeedRecipient[] = [],
): CloudEvent | null {
  const suffix = typeSuffix(owed.kind, owed.status);
  if (!suffix) return null;
  let data: Record<string, unknown>;
  if (owed.kind === "shipment") {
    data = {
      shipmentId: shipment.id,
      sendersReference: shipment.sendersReference,
      shipmentType: "Notification",
      status: lifecycleStatus("shipment", owed.status),
      lastUpdate: owed.lastUpdate,
      recipients: recipients.slice(0, MAX_FEED_RECIPIENTS),
      ...(recipients.length > MAX_FEED_RECIPIENTS ? { recipientCount: recipients.length } : {}),
    };
  } else {
    const reserved = owed.status === "Failed_RecipientReserved";
    data = {
      shipmentId: shipment.id,
      notificationId: owed.rowId,
      ...(!reserved && owed.destination ? { destination: owed.destination } : {}),
      status: lifecycleStatus(owed.kind, owed.status),
      lastUpdate: owed.lastUpdate,
    };
  }
  return {
    specversion: "1.0",
    id,
    source: `urn:varsel:notifications:shipment:${shipment.id}`,
    type: `no.varsel.notifications.${owed.kind}.${suffix}`,
    time: owed.lastUpdate,
    resource: notificationsResourceUrn(shipment.creator),
    subject: `/shipment/${shipment.id}`,
    datacontenttype: "application/json",
    data,
  };
}

/** Pure: a shipment's notifications as feed recipients; rows with no destination (reserved, not identified) are left out, as Altinn's feed does. */
export function feedRecipients(
  rows: { kind: "email" | "sms"; destination: string | null; status: string; lastUpdate: string }[],
): FeedRecipient[] {
  return rows.flatMap((r) =>
    r.destination
      ? [{ destination: r.destination, status: lifecycleStatus(r.kind, r.status), lastUpdate: r.lastUpdate }]
      : [],
  );
}

/** An owed row is leased to one publisher this long; a publisher that died leaves it to the next call or the cron. */
export const OWED_LEASE_MS = 60_000;
const PAGE = 200;
const MAX_PAGES = 20;
const MAX_JSON_PARAM_BYTES = 1_000_000;

export const LEASE_OWED_SQL = `UPDATE status_event_outbox SET due_at = ?1
  WHERE seq IN (SELECT seq FROM status_event_outbox WHERE due_at <= ?2 ORDER BY seq LIMIT ?3)
  RETURNING seq, kind, row_id, order_id, status, last_update, destination`;

/** Stored held (?2 = OUTBOX_HELD) in their org's lane (?4: the lanes, aligned with ?3's events), then topped up. */
const INSERT_EVENTS_SQL = `INSERT INTO events (id, source, resource, type, subject, time, cloudevent, stored_at, outbox_due_at, lane)
  SELECT value->>'id', value->>'source', value->>'resource', value->>'type', value->>'subject', value->>'time',
         value, ?1, ?2, ?4 ->> key
    FROM json_each(?3) WHERE true
  ON CONFLICT (source, id) DO NOTHING
  RETURNING seq, cloudevent`;

async function shipmentsOf(env: Env, ids: string[]): Promise<Map<string, ShipmentInfo>> {
  const { results } = await env.DB.prepare(
    "SELECT id, creator, senders_reference FROM notification_orders WHERE id IN (SELECT value FROM json_each(?1))",
  )
    .bind(JSON.stringify(ids))
    .all<{ id: string; creator: string; senders_reference: string | null }>();
  return new Map(results.map((r) => [r.id, { id: r.id, creator: r.creator, sendersReference: r.senders_reference }]));
}

async function recipientsOf(env: Env, orderId: string): Promise<FeedRecipient[]> {
  const { results } = await env.DB.prepare(
    `SELECT 'email' AS kind, email_address AS destination, status, last_update FROM email_notifications WHERE order_id = ?1
     UNION ALL
     SELECT 'sms', mobile_number, status, last_update FROM sms_notifications WHERE order_id = ?1
     LIMIT ?2`,
  )
    .bind(orderId, MAX_FEED_RECIPIENTS * 2)
    .all<{ kind: "email" | "sms"; destination: string | null; status: string; last_update: string }>();
  return feedRecipients(results.map((r) => ({ ...r, lastUpdate: r.last_update })));
}

/**
 * Publishes the owed status events (everyone's, oldest first, a bounded amount per call). Returns how
 * many new events were stored. Never throws: what is not published stays owed for the next call.
 */
export async function publishStatusEvents(env: Env, now: Date = new Date()): Promise<number> {
  let stored = 0;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const t = Date.now();
      const { results } = await env.DB.prepare(LEASE_OWED_SQL)
        .bind(t + OWED_LEASE_MS, t, PAGE)
        .all<{
          seq: number;
          kind: OwedKind;
          row_id: string;
          order_id: string;
          status: string;
          last_update: string;
          destination: string | null;
        }>();
      if (!results.length) break;
      const owed: Owed[] = results
        .map((r) => ({
          seq: r.seq,
          kind: r.kind,
          rowId: r.row_id,
          orderId: r.order_id,
          status: r.status,
          lastUpdate: r.last_update,
          destination: r.destination,
        }))
        .sort((a, b) => a.seq - b.seq);
      const shipments = await shipmentsOf(env, [...new Set(owed.map((o) => o.orderId))]);
      const events: CloudEvent[] = [];
      for (const o of owed) {
        const shipment = shipments.get(o.orderId);
        if (!shipment) continue; // removed by retention: nothing to tell
        const recipients = o.kind === "shipment" ? await recipientsOf(env, o.orderId) : [];
        const event = buildStatusEvent(o, shipment, await statusEventId(o.kind, o.rowId, o.status), recipients);
        if (event) events.push(event);
      }
      if (await partitionedLog(env)) {
        // The partitioned log (docs/event-log.md): appended without guard claims (`appendOwnEvents`
        // says why; ids are derived from the change, so a repeat after a failure stores nothing
        // twice), then no longer owed.
        stored += await appendOwnEvents(env, events, now.getTime());
        await env.DB.prepare("DELETE FROM status_event_outbox WHERE seq IN (SELECT value FROM json_each(?1))")
          .bind(JSON.stringify(owed.map((o) => o.seq)))
          .run();
        if (results.length < PAGE) break;
        continue;
      }
      const at = now.toISOString();
      const inserts = splitByBytes(events, MAX_JSON_PARAM_BYTES).map((part) =>
        env.DB.prepare(INSERT_EVENTS_SQL).bind(
          at,
          OUTBOX_HELD,
          part,
          JSON.stringify((JSON.parse(part) as CloudEvent[]).map((e) => laneOf(e.resource))),
        ),
      );
      const done = env.DB.prepare(
        "DELETE FROM status_event_outbox WHERE seq IN (SELECT value FROM json_each(?1))",
      ).bind(JSON.stringify(owed.map((o) => o.seq)));
      const batch = await env.DB.batch<{ seq: number; cloudevent: string }>([...inserts, done]);
      const fresh = batch
        .slice(0, inserts.length)
        .flatMap((r) => r.results)
        .sort((a, b) => a.seq - b.seq)
        .map((r) => ({ seq: r.seq, event: JSON.parse(r.cloudevent) as CloudEvent }));
      stored += fresh.length;
      // Fair across tenants (issue 7 point 7): each org's lane gets its window now; the matcher tops
      // it up as it confirms, so a large order's status events never flood the events queue.
      if (fresh.length) {
        const lanes = [...new Set(fresh.map((e) => laneOf(e.event.resource)))];
        await sendToQueue(env, await settleOutbox(env, [], lanes, new Date(), EVENTS_LANE_WINDOW), "status events");
      }
      if (results.length < PAGE) break;
    }
  } catch (e) {
    console.error(JSON.stringify({ msg: "status events not published yet; retried later", error: errorText(e) }));
  }
  return stored;
}

/**
 * What a queue consumer does with the status events its batch made owed: await them (tests, the
 * default) or hand them to the invocation's `waitUntil`, so the next batch does not wait for them.
 * Either way they are owed rows in D1 first: what is not published now, the cron publishes.
 */
export type AfterBatch = (work: Promise<unknown>) => Promise<void> | void;
export const awaitNow: AfterBatch = async (work) => {
  await work;
};
/** Runs the work after the consumer has returned, within the invocation's lifetime. */
export const afterReturn =
  (exec: ExecutionContext): AfterBatch =>
  (work) =>
    exec.waitUntil(work);
