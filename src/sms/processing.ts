/**
 * SMS order processing (SPEC §5.3/§5.4): the shared order claim and send condition
 * (src/notifications/processing.ts) hand an SMS order to `generateSms`, which resolves its recipients
 * chunk by chunk into SMS, due at the next time the Daytime window allows. The cron's `sweepSms`
 * hands due SMS to the queue again and fails those past their time to live.
 */
import type { Env } from "../env";
import { CHUNK, LEASE_MS } from "../notifications/processing";
import { publishStatusEvents } from "../notifications/status-events";
import { releaseOrder, type ClaimedOrder } from "../notifications/queries";
import { loadSmsContacts } from "./contacts";
import { daytimeWindow, nextAllowedSendTime } from "./daytime";
import { SMS_EXPIRY_OFFSET_MS, SMS_REQUEUE_AFTER_MS, SMS_TTL_MS } from "./model";
import { completeSmsOrders, expireSms, markSmsNotEnqueued, saveSmsChunk, takeSmsStragglers } from "./queries";
import { resolveSmsRecipients } from "./resolve";
import type { SmsRecipient } from "./schemas";

/** The queue message: one per SMS. */
export interface SmsMessage {
  notificationId: string;
}

export async function enqueueSms(env: Env, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 100) {
    const part = ids.slice(i, i + 100);
    try {
      await env.SMS_QUEUE.sendBatch(
        part.map((notificationId) => ({ body: { notificationId } satisfies SmsMessage, contentType: "json" as const })),
      );
    } catch (e) {
      // The sweep hands them over on a later tick; nothing is lost.
      console.error(
        JSON.stringify({ msg: "SMS queue send failed; the sweep will retry", count: part.length, error: String(e) }),
      );
      await markSmsNotEnqueued(env, ids.slice(i));
      return;
    }
  }
}

/**
 * One chunk of a claimed SMS order from recipient `next`: resolve, store with progress, hand to the
 * queue. Returns the position after the chunk. The shared processor (src/notifications/processing.ts)
 * calls it one chunk per order in turn, so a large SMS order does not hold back another org's order.
 */
export async function generateSmsChunk(
  env: Env,
  order: ClaimedOrder,
  next: number,
  clock: () => Date,
): Promise<number> {
  const window = daytimeWindow(env.SMS_DAYTIME, env.SMS_TIME_ZONE);
  // A v1 SMS order expires 48 h after its requested send time (reference §1.1).
  const expiresAt = new Date(Date.parse(order.requestedSendTime) + SMS_TTL_MS).toISOString();
  const recipients = order.recipients as unknown as SmsRecipient[];
  const chunk = recipients.slice(next, next + CHUNK);
  // Empty when the order was stopped at its claim (too many failures): nothing to store.
  if (!chunk.length) return next;
  const drafts = resolveSmsRecipients(
    chunk,
    await loadSmsContacts(env, chunk, order.resourceId),
    order.ignoreReservation,
  );
  const after = next + chunk.length;
  const now = clock();
  const ids = await saveSmsChunk(env, {
    orderId: order.id,
    token: order.claimToken,
    drafts,
    nextRecipient: after,
    now,
    dueAt: nextAllowedSendTime(now, window),
    expiresAt,
    leaseUntil: new Date(now.getTime() + LEASE_MS),
  });
  await enqueueSms(env, ids);
  return after;
}

/** After the last chunk: the claim is released and the order completes once every SMS is final. */
export async function finishSmsGeneration(env: Env, order: ClaimedOrder, clock: () => Date): Promise<void> {
  await releaseOrder(env, order.id, order.claimToken);
  await completeSmsOrders(env, [order.id], clock());
}

/** Fails SMS past their time to live, then hands due stragglers (Daytime waits included) to the queue. */
export async function sweepSms(env: Env, now: Date): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const touched = await expireSms(env, now, SMS_EXPIRY_OFFSET_MS, 1000);
    await completeSmsOrders(env, touched, now);
    if (touched.length < 1000) break;
  }
  for (let round = 0; round < 10; round++) {
    const ids = await takeSmsStragglers(env, now, new Date(now.getTime() - SMS_REQUEUE_AFTER_MS), 500);
    await enqueueSms(env, ids);
    if (ids.length < 500) break;
  }
  await publishStatusEvents(env, now);
}
