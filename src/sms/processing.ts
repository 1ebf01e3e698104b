/**
 * SMS order processing (SPEC §5.3/§5.4): the shared order claim and send condition
 * (src/notifications/processing.ts) hand an SMS order to `generateSms`, which resolves its recipients
 * chunk by chunk into SMS, due at the next time the Daytime window allows; each chunk tops up the
 * order's window of gateway sessions in the queue (feed.ts). The cron's `sweepSms` fails SMS past
 * their time to live and tops up the windows.
 */
import type { Env } from "../env";
import { CHUNK, LEASE_MS } from "../notifications/processing";
import { publishStatusEvents } from "../notifications/status-events";
import { releaseOrder, type ClaimedOrder } from "../notifications/queries";
import { loadSmsContacts } from "./contacts";
import { daytimeWindow, nextAllowedSendTime } from "./daytime";
import { SMS_EXPIRY_OFFSET_MS, SMS_REQUEUE_AFTER_MS, SMS_TTL_MS } from "./model";
import { feedSms, resetLostSms, resetStuckSms, smsOrdersToFeed } from "./feed";
import { completeSmsOrders, expireSms, saveSmsChunk } from "./queries";
import { resolveSmsRecipients } from "./resolve";
import type { SmsRecipient } from "./schemas";

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
  await saveSmsChunk(env, {
    orderId: order.id,
    token: order.claimToken,
    drafts,
    nextRecipient: after,
    now,
    dueAt: nextAllowedSendTime(now, window),
    expiresAt,
    leaseUntil: new Date(now.getTime() + LEASE_MS),
  });
  // Sending starts while the rest is generated: the order's window is topped up from this chunk.
  await feedSms(env, [order.id], clock());
  return after;
}

/** After the last chunk: the claim is released and the order completes once every SMS is final. */
export async function finishSmsGeneration(env: Env, order: ClaimedOrder, clock: () => Date): Promise<void> {
  await releaseOrder(env, order.id, order.claimToken);
  await completeSmsOrders(env, [order.id], clock());
}

/**
 * The cron's SMS sweep: fails SMS past their time to live, puts sends whose consumer died and messages
 * the queue lost back to waiting, and tops up every unfinished SMS order's window (Daytime waits that
 * became due included).
 */
export async function sweepSms(env: Env, now: Date): Promise<void> {
  const orders = new Set<string>();
  for (let round = 0; round < 20; round++) {
    const touched = await expireSms(env, now, SMS_EXPIRY_OFFSET_MS, 1000);
    await completeSmsOrders(env, touched, now);
    if (touched.length < 1000) break;
  }
  const lostBefore = new Date(now.getTime() - SMS_REQUEUE_AFTER_MS);
  for (const step of [() => resetStuckSms(env, now, 1000), () => resetLostSms(env, lostBefore, 1000)]) {
    for (let round = 0; round < 10; round++) {
      const touched = await step();
      for (const id of touched) orders.add(id);
      if (touched.length < 1000) break;
    }
  }
  const unfinished = await smsOrdersToFeed(env);
  await feedSms(env, [...orders, ...unfinished], now);
  // Orders whose last outcome was stored by a consumer that failed before completing them.
  await completeSmsOrders(env, unfinished, now);
  await publishStatusEvents(env, now);
}
