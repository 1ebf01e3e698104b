/**
 * Generation of a shipment's notifications (SPEC §5.5, reference §5.2). The shared fair processor
 * (src/notifications/processing.ts) claims a shipment like any order and hands it here: the recipient
 * is looked up again, the channel rule decides per recipient, and the e-mails and SMS go into the
 * existing outboxes (email_notifications, sms_notifications), so every later step is shared.
 */
import type { Env } from "../../env";
import { isValidEmail } from "../../lib/email-address";
import { daytimeExpiry, daytimeWindow, nextAllowedSendTime } from "../../sms/daytime";
import { SMS_TTL_MS } from "../../sms/model";
import { e164 } from "../../sms/phone";
import { feedSms } from "../../sms/feed";
import { saveSmsChunk } from "../../sms/queries";
import type { SmsDraft } from "../../sms/resolve";
import { feedOrders } from "../email-outbox";
import { EMAIL_TTL_MS } from "../model";
import { completeOrders, releaseOrder, saveChunk, type ClaimedOrder } from "../queries";
import type { Draft } from "../resolve";
import { type ChannelSchema, channelPlan, primaryChannels } from "./channels";
import { type KnownRecipient, lookUpOrganization, lookUpPerson } from "./lookup";
import type { StoredRecipient } from "./store";

export interface ShipmentDrafts {
  emails: Draft[];
  sms: SmsDraft[];
}

/** Pure: the notifications one recipient gets under the schema (reference §5.2). */
export function shipmentDrafts(
  recipient: StoredRecipient,
  schema: ChannelSchema,
  known: KnownRecipient | null,
): ShipmentDrafts {
  const none = { organizationNumber: null, nationalIdentityNumber: null, recipientName: "", recipientNumber: "" };
  if (recipient.kind === "email") {
    const a = recipient.emailAddress;
    return {
      emails: [
        {
          ...none,
          isReserved: null,
          dedupKey: a.trim().toLowerCase(),
          emailAddress: a,
          status: isValidEmail(a) ? "New" : "Failed_InvalidEmailFormat",
        },
      ],
      sms: [],
    };
  }
  if (recipient.kind === "sms") {
    const n = recipient.phoneNumber;
    return { emails: [], sms: [{ ...none, dedupKey: e164(n) ?? n, mobileNumber: n, status: "New" }] };
  }
  const person = recipient.kind === "person";
  const id = person ? recipient.nationalIdentityNumber : recipient.orgNumber;
  const base = {
    organizationNumber: person ? null : id,
    nationalIdentityNumber: person ? id : null,
    recipientName: known?.name ?? "",
    recipientNumber: person ? "" : id,
  };
  const failedKey = `${person ? "nin" : "org"}:${id}`;
  const out: ShipmentDrafts = { emails: [], sms: [] };
  const failed = (
    channels: ("email" | "sms")[],
    status: "Failed_RecipientReserved" | "Failed_RecipientNotIdentified",
  ) => {
    for (const c of channels) {
      if (c === "email")
        out.emails.push({
          ...base,
          isReserved: person ? (known?.reserved ?? null) : null,
          dedupKey: failedKey,
          emailAddress: null,
          status,
        });
      else out.sms.push({ ...base, dedupKey: failedKey, mobileNumber: null, status });
    }
  };
  if (person && known?.reserved && !recipient.ignoreReservation) {
    // A reserved person's addresses are never stored (SPEC §5.3).
    failed(primaryChannels(schema), "Failed_RecipientReserved");
    return out;
  }
  const plan = channelPlan(schema, known?.groups ?? []);
  for (const a of plan.emails)
    out.emails.push({
      ...base,
      isReserved: person ? (known?.reserved ?? null) : null,
      dedupKey: a.toLowerCase(),
      emailAddress: a,
      status: isValidEmail(a) ? "New" : "Failed_InvalidEmailFormat",
    });
  for (const m of plan.mobiles) out.sms.push({ ...base, dedupKey: e164(m) ?? m, mobileNumber: m, status: "New" });
  failed(plan.notIdentified, "Failed_RecipientNotIdentified");
  return out;
}

/** Pure: when a shipment's SMS are due and when they expire (Daytime: the window; Anytime: at once, +48 h). */
export function smsTiming(
  policy: string | null,
  requestedSendTime: string,
  now: Date,
  daytime: string | undefined,
  timeZone: string | undefined,
): { dueAt: Date; expiresAt: Date } {
  const requested = new Date(requestedSendTime);
  if (policy === "Anytime") return { dueAt: now, expiresAt: new Date(requested.getTime() + SMS_TTL_MS) };
  const w = daytimeWindow(daytime, timeZone);
  return { dueAt: nextAllowedSendTime(now, w), expiresAt: daytimeExpiry(requested, w, SMS_TTL_MS) };
}

interface ShipmentExtra {
  channel_schema: string;
  sms_policy: string | null;
}

/** Generates a claimed shipment's notifications in one go (one recipient) and hands them on. */
export async function generateShipment(env: Env, order: ClaimedOrder, clock: () => Date): Promise<void> {
  const extra = await env.DB.prepare("SELECT channel_schema, sms_policy FROM notification_orders WHERE id = ?1")
    .bind(order.id)
    .first<ShipmentExtra>();
  const recipient = (order.recipients as unknown as StoredRecipient[])[0];
  if (extra && recipient && order.nextRecipient < 1) {
    const schema = extra.channel_schema as ChannelSchema;
    const known =
      recipient.kind === "person"
        ? await lookUpPerson(env, recipient.nationalIdentityNumber)
        : recipient.kind === "organization"
          ? await lookUpOrganization(env, recipient.orgNumber, order.resourceId, true)
          : null;
    const drafts = shipmentDrafts(recipient, schema, known);
    const now = clock();
    const leaseUntil = new Date(now.getTime() + 60_000);
    const emailExpiry = new Date(Date.parse(order.requestedSendTime) + EMAIL_TTL_MS).toISOString();
    // E-mails first without progress, then the SMS with it: redone after a crash, the unique keys add nothing twice.
    if (drafts.emails.length)
      await saveChunk(env, order.id, order.claimToken, drafts.emails, 0, now, emailExpiry, leaseUntil);
    const timing = smsTiming(extra.sms_policy, order.requestedSendTime, now, env.SMS_DAYTIME, env.SMS_TIME_ZONE);
    await saveSmsChunk(env, {
      orderId: order.id,
      token: order.claimToken,
      drafts: drafts.sms,
      nextRecipient: 1,
      now,
      dueAt: timing.dueAt,
      expiresAt: timing.expiresAt.toISOString(),
      leaseUntil,
    });
    await feedSms(env, [order.id], clock());
    await feedOrders(env, [order.id], clock());
  }
  await releaseOrder(env, order.id, order.claimToken);
  await completeOrders(env, [order.id], clock());
}
