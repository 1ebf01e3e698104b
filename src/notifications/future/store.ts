/**
 * Storing an order chain (SPEC §5.5): each shipment (the main order, each reminder) is one row of
 * notification_orders (notification_channel = 'Future'), written in ONE D1 batch together with the
 * idempotency key. The key's UNIQUE constraint decides a race: the loser's batch rolls back whole.
 */
import type { Env } from "../../env";
import type { ChannelSchema } from "./channels";
import type { ChainRequest, FutureRecipient, ShipmentRequest } from "./schemas";

export type ShipmentType = "Notification" | "Reminder" | "Instant";
export type IdempotencyKind = "Notification" | "Instant";

/** The recipient as stored on the shipment row (settings live in their own columns). */
export type StoredRecipient =
  | { kind: "email"; emailAddress: string }
  | { kind: "sms"; phoneNumber: string }
  | { kind: "person"; nationalIdentityNumber: string; ignoreReservation: boolean }
  | { kind: "organization"; orgNumber: string };

export interface ShipmentRow {
  id: string;
  type: ShipmentType;
  request: ShipmentRequest;
}

export interface ChainReceipt {
  notificationOrderId: string;
  notification: {
    shipmentId: string;
    sendersReference?: string;
    reminders?: { shipmentId: string; sendersReference?: string }[];
  };
}

function stored(r: FutureRecipient): StoredRecipient {
  if (r.kind === "email") return { kind: "email", emailAddress: r.emailAddress };
  if (r.kind === "sms") return { kind: "sms", phoneNumber: r.phoneNumber };
  if (r.kind === "person")
    return { kind: "person", nationalIdentityNumber: r.nationalIdentityNumber, ignoreReservation: r.ignoreReservation };
  return { kind: "organization", orgNumber: r.orgNumber };
}

export function channelSchemaOf(r: FutureRecipient): ChannelSchema {
  return r.kind === "email" ? "Email" : r.kind === "sms" ? "Sms" : r.channelSchema;
}

const INSERT_SHIPMENT = `INSERT INTO notification_orders (id, creator, created, senders_reference, requested_send_time, subject, body,
  content_type, from_address, recipients, recipient_count, resource_id, ignore_reservation, condition_endpoint, status, last_update,
  notification_channel, sender_number, shipment_type, chain_id, channel_schema, sms_body, sms_policy, dialogporten, next_recipient)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, ?11, ?12, ?13, ?14, ?3, 'Future', ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)`;

export interface ShipmentInsert {
  shipment: ShipmentRow;
  chainId: string;
  creator: string;
  now: Date;
  defaultFrom: string;
  dialogporten: string | null;
  /** Instant shipments are stored already generated (Processing, next_recipient = 1). */
  status?: "Registered" | "Processing";
}

export function insertShipment(env: Env, a: ShipmentInsert): D1PreparedStatement {
  const r = a.shipment.request.recipient;
  const email = r.kind === "email" ? r.emailSettings : r.kind === "sms" ? null : r.emailSettings;
  const sms = r.kind === "sms" ? r.smsSettings : r.kind === "email" ? null : r.smsSettings;
  const status = a.status ?? "Registered";
  return env.DB.prepare(INSERT_SHIPMENT).bind(
    a.shipment.id,
    a.creator,
    a.now.toISOString(),
    a.shipment.request.sendersReference,
    a.shipment.request.requestedSendTime,
    email?.subject ?? "",
    email?.body ?? "",
    email?.contentType ?? "Plain",
    email?.senderEmailAddress ?? a.defaultFrom,
    JSON.stringify([stored(r)]),
    r.kind === "person" || r.kind === "organization" ? r.resourceId : null,
    r.kind === "person" && r.ignoreReservation ? 1 : 0,
    a.shipment.request.conditionEndpoint,
    status,
    sms?.sender ?? null,
    a.shipment.type,
    a.chainId,
    channelSchemaOf(r),
    sms?.body ?? null,
    sms ? sms.sendingTimePolicy : null,
    a.dialogporten,
    status === "Processing" ? 1 : 0,
  );
}

export function receiptOf(chainId: string, main: ShipmentRow, reminders: ShipmentRow[]): ChainReceipt {
  const ref = (s: ShipmentRow) =>
    s.request.sendersReference !== null ? { sendersReference: s.request.sendersReference } : {};
  return {
    notificationOrderId: chainId,
    notification: {
      shipmentId: main.id,
      ...ref(main),
      ...(reminders.length ? { reminders: reminders.map((s) => ({ shipmentId: s.id, ...ref(s) })) } : {}),
    },
  };
}

export const CLAIM_KEY_SQL =
  "INSERT INTO future_idempotency (creator, kind, idempotency_id, created, response) VALUES (?1, ?2, ?3, ?4, ?5)";

export function isUniqueViolation(e: unknown): boolean {
  return /UNIQUE constraint failed/i.test(String(e instanceof Error ? e.message : e));
}

/** The first answer stored under this key, or null (none, or an instant send still in flight). */
export async function storedAnswer<T>(env: Env, creator: string, kind: IdempotencyKind, id: string): Promise<T | null> {
  const row = await env.DB.prepare(
    "SELECT response FROM future_idempotency WHERE creator = ?1 AND kind = ?2 AND idempotency_id = ?3",
  )
    .bind(creator, kind, id)
    .first<{ response: string | null }>();
  return row?.response ? (JSON.parse(row.response) as T) : null;
}

/**
 * Stores the chain: the key and every shipment in one batch. Returns the receipt and true when this
 * request stored it, or the first request's receipt and false when the key was taken.
 */
export async function storeChain(
  env: Env,
  creator: string,
  req: ChainRequest,
  now: Date,
  defaultFrom: string,
): Promise<{ receipt: ChainReceipt; created: boolean }> {
  const chainId = crypto.randomUUID();
  const main: ShipmentRow = { id: crypto.randomUUID(), type: "Notification", request: req.main };
  const reminders: ShipmentRow[] = req.reminders.map((request) => ({
    id: crypto.randomUUID(),
    type: "Reminder",
    request,
  }));
  const receipt = receiptOf(chainId, main, reminders);
  const dialogporten = req.dialogportenAssociation ? JSON.stringify(req.dialogportenAssociation) : null;
  const key = env.DB.prepare(CLAIM_KEY_SQL).bind(
    creator,
    "Notification",
    req.idempotencyId,
    now.toISOString(),
    JSON.stringify(receipt),
  );
  const rows = [main, ...reminders].map((shipment) =>
    insertShipment(env, { shipment, chainId, creator, now, defaultFrom, dialogporten }),
  );
  try {
    await env.DB.batch([key, ...rows]);
    return { receipt, created: true };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const first = await storedAnswer<ChainReceipt>(env, creator, "Notification", req.idempotencyId);
    if (!first) throw e;
    return { receipt: first, created: false };
  }
}
