/**
 * Order processing on the cron (SPEC §5.3): claim due orders atomically, check the send condition,
 * resolve recipients chunk by chunk (progress persisted, so 10,000 recipients spread over as many
 * invocations as it takes), store one notification per address and hand them to the e-mail queue.
 */
import type { Env } from "../env";
import type { AppContext } from "../http/context";
import { checkCondition, conditionAction, CONDITION_RETRY_MS } from "./condition";
import { loadContacts } from "./contacts";
import { EMAIL_TTL_MS } from "./model";
import { claimOrders, completeOrders, expireNotifications, finishOrder, markNotEnqueued, postponeOrder, releaseOrder, saveChunk, takeStragglers, type ClaimedOrder } from "./queries";
import { resolveRecipients } from "./resolve";
import { errorText } from "../lib/errors";
import { generateSms } from "../sms/processing";

/** Recipients resolved per chunk (one contacts look-up and one insert statement each). */
export const CHUNK = 500;
/** How many orders one tick claims. */
export const CLAIM_BATCH = 10;
/** A claim is held this long; each chunk renews it. A crashed tick's order is taken over after it. */
export const LEASE_MS = 60_000;
/** A tick stops starting new chunks after this long and leaves the rest to the next tick. */
export const TICK_BUDGET_MS = 20_000;
/** E-mails handed to the queue longer ago than this and still not sent are handed over again. */
export const REQUEUE_AFTER_MS = 10 * 60_000;

/** The queue message: one per e-mail. */
export interface EmailMessage {
  notificationId: string;
}

export async function enqueue(env: Env, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 100) {
    const part = ids.slice(i, i + 100);
    try {
      await env.EMAIL_QUEUE.sendBatch(part.map((notificationId) => ({ body: { notificationId } satisfies EmailMessage, contentType: "json" as const })));
    } catch (e) {
      // The sweep hands them over on a later tick; nothing is lost.
      console.error(JSON.stringify({ msg: "e-mail queue send failed; the sweep will retry", count: part.length, error: String(e) }));
      await markNotEnqueued(env, ids.slice(i));
      return;
    }
  }
}

/** Generates the claimed order's notifications from where it left off, until done or out of time. */
async function generate(env: Env, order: ClaimedOrder, clock: () => Date, deadline: number): Promise<void> {
  if (order.notificationChannel === "Sms") return generateSms(env, order, clock, deadline);
  const expiresAt = new Date(Date.parse(order.requestedSendTime) + EMAIL_TTL_MS).toISOString();
  let next = order.nextRecipient;
  while (next < order.recipients.length) {
    if (Date.now() > deadline) return; // the lease runs out and a later tick continues
    const chunk = order.recipients.slice(next, next + CHUNK);
    const drafts = resolveRecipients(chunk, await loadContacts(env, chunk, order.resourceId), order.ignoreReservation);
    next += chunk.length;
    const now = clock();
    const ids = await saveChunk(env, order.id, order.claimToken, drafts, next, now, expiresAt, new Date(now.getTime() + LEASE_MS));
    await enqueue(env, ids);
  }
  await releaseOrder(env, order.id, order.claimToken);
  // Everything may already be final (every recipient failed the look-up).
  await completeOrders(env, [order.id], clock());
}

async function processOrder(env: Env, order: ClaimedOrder, clock: () => Date, deadline: number): Promise<void> {
  if (order.nextRecipient === 0 && order.conditionEndpoint) {
    const action = conditionAction(await checkCondition(order.conditionEndpoint, env.ALLOW_INSECURE_ENDPOINTS === "true"), order.conditionAttempts);
    const now = clock();
    if (action === "skip") return finishOrder(env, order.id, order.claimToken, "SendConditionNotMet", now);
    if (action === "retry") return postponeOrder(env, order.id, order.claimToken, new Date(now.getTime() + CONDITION_RETRY_MS), now);
  }
  await generate(env, order, clock, deadline);
}

/**
 * One pass: claims due orders in batches and processes them, until none is due or the budget is
 * spent. `now` is the tick's time; `clock` advances with it for stored timestamps.
 */
export async function processDueOrders(env: Env, now: Date): Promise<number> {
  const started = Date.now();
  const offset = now.getTime() - started;
  const clock = () => new Date(Date.now() + offset);
  const deadline = started + TICK_BUDGET_MS;
  let processed = 0;
  while (Date.now() < deadline) {
    const at = clock();
    const claimed = await claimOrders(env, at, crypto.randomUUID(), new Date(at.getTime() + LEASE_MS), CLAIM_BATCH);
    if (!claimed.length) break;
    for (const order of claimed) {
      try {
        await processOrder(env, order, clock, deadline);
      } catch (e) {
        // The lease expires and a later tick takes the order over; stored notifications are not made twice.
        console.error(JSON.stringify({ msg: "order processing failed; will be retried", orderId: order.id, error: errorText(e) }));
      }
      processed++;
    }
  }
  return processed;
}

/** Hands stragglers to the queue again and fails e-mails past their TTL. */
export async function sweepEmails(env: Env, now: Date): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const touched = await expireNotifications(env, now, 1000);
    await completeOrders(env, touched, now);
    if (touched.length < 1000) break;
  }
  for (let round = 0; round < 10; round++) {
    const ids = await takeStragglers(env, now, new Date(now.getTime() - REQUEUE_AFTER_MS), 500);
    await enqueue(env, ids);
    if (ids.length < 500) break;
  }
}

/** The cron's notification work. */
export async function runNotificationTick(env: Env, now: Date): Promise<void> {
  await processDueOrders(env, now);
  await sweepEmails(env, now);
}

/** An order due now starts at once instead of waiting for the next tick (claims keep it single). */
export function kickProcessing(app: AppContext): void {
  app.exec.waitUntil(
    processDueOrders(app.env, app.now()).catch((e) => console.error(JSON.stringify({ msg: "immediate order processing failed; the cron retries", error: String(e) }))),
  );
}
