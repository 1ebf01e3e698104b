/**
 * Order processing on the cron (SPEC §5.3): claim due orders atomically, check their send conditions
 * (in parallel, within the lease), then resolve recipients chunk by chunk, one chunk per order in turn
 * so a large order does not hold back a small one. Progress is persisted per chunk, so 10,000
 * recipients spread over as many invocations as it takes; the e-mails made wait in the D1 outbox and
 * the feeder hands each order a window of them to the queue (email-outbox.ts).
 */
import type { Env } from "../env";
import type { AppContext } from "../http/context";
import { errorText } from "../lib/errors";
import { checkCondition, conditionAction, CONDITION_RETRY_MS } from "./condition";
import { loadContacts } from "./contacts";
import { expireNew, feedOrders, processingOrders, resetLostMessages, resetStuckSends } from "./email-outbox";
import { EMAIL_TTL_MS } from "./model";
import {
  claimOrders,
  completeOrders,
  finishOrder,
  postponeOrder,
  recordOrderFailure,
  releaseOrder,
  saveChunk,
  stopGeneration,
  type ClaimedOrder,
} from "./queries";
import { normalizeResourceId } from "../contacts/resource-id";
import { mayNotify } from "../resources/policy";
import { loadResource } from "../resources/queries";
import { resolveRecipients } from "./resolve";
import { publishStatusEvents } from "./status-events";
import { finishSmsGeneration, generateSmsChunk } from "../sms/processing";
import { generateShipment } from "./future/generate";

export type { EmailMessage } from "./email-outbox";

/** Recipients resolved per chunk (one contacts look-up; the insert is split by bytes). */
export const CHUNK = 500;
/** How many orders one tick claims. */
export const CLAIM_BATCH = 10;
/** A claim is held this long; each chunk renews it. A crashed tick's order is taken over after it. */
export const LEASE_MS = 60_000;
/** A tick stops starting new chunks after this long and leaves the rest to the next tick. */
export const TICK_BUDGET_MS = 20_000;
/** An order whose processing fails this many times in a row stops generating, with the reason. */
export const MAX_ORDER_FAILURES = 5;
/** Rows each sweep touches per statement, and statements per tick. */
const SWEEP_LIMIT = 1000;
const SWEEP_ROUNDS = 10;

interface Generation {
  order: ClaimedOrder;
  next: number;
  expiresAt: string;
}

async function orderFailed(env: Env, order: ClaimedOrder, e: unknown, clock: () => Date): Promise<void> {
  const now = clock();
  const error = errorText(e);
  const stopped = await recordOrderFailure(
    env,
    order.id,
    order.claimToken,
    error,
    MAX_ORDER_FAILURES,
    new Date(now.getTime() + LEASE_MS),
    now,
  );
  console.error(
    JSON.stringify({
      msg: stopped ? "order processing failed for good; stopped" : "order processing failed; will be retried",
      orderId: order.id,
      error,
    }),
  );
  if (stopped) await completeOrders(env, [order.id], now);
}

/**
 * The notify right is checked again before every chunk (SPEC §5.1), from the registry as it is now:
 * a revoked grant or a resource that moved to another owner stops the order from reaching more of
 * the audience; it ends with the reason.
 */
async function notifyRightHolds(env: Env, order: ClaimedOrder, clock: () => Date): Promise<boolean> {
  if (!order.resourceId) return true;
  const id = normalizeResourceId(order.resourceId);
  if (mayNotify(id ? await loadResource(env, id) : null, order.creator)) return true;
  const reason = `Order processing stopped: the ordering org may no longer notify on behalf of resource ${order.resourceId.slice(0, 220)}.`;
  await stopGeneration(env, order.id, order.claimToken, reason, clock());
  await completeOrders(env, [order.id], clock());
  return false;
}

/** One chunk of one order: resolve, store with progress, feed the queue. True when the order is done. */
async function generateChunk(env: Env, g: Generation, clock: () => Date): Promise<boolean> {
  const { order } = g;
  if (order.notificationChannel === "Future") {
    // A shipment is generated whole (one recipient); the notify right is checked first as for any order.
    if (await notifyRightHolds(env, order, clock)) await generateShipment(env, order, clock);
    return true;
  }
  if (g.next < order.recipients.length && !(await notifyRightHolds(env, order, clock))) return true;
  if (order.notificationChannel === "Sms") {
    g.next = await generateSmsChunk(env, order, g.next, clock);
    if (g.next < order.recipients.length) return false;
    await finishSmsGeneration(env, order, clock);
    return true;
  }
  const chunk = order.recipients.slice(g.next, g.next + CHUNK);
  // Empty when the order was stopped at its claim (too many failures): nothing to store, and its
  // failure count stays as the reason says.
  if (chunk.length) {
    const drafts = resolveRecipients(chunk, await loadContacts(env, chunk, order.resourceId), order.ignoreReservation);
    const next = g.next + chunk.length;
    const now = clock();
    await saveChunk(
      env,
      order.id,
      order.claimToken,
      drafts,
      next,
      now,
      g.expiresAt,
      new Date(now.getTime() + LEASE_MS),
    );
    g.next = next;
    await feedOrders(env, [order.id], clock());
  }
  if (g.next < order.recipients.length) return false;
  await releaseOrder(env, order.id, order.claimToken);
  // Everything may already be final (every recipient failed the look-up).
  await completeOrders(env, [order.id], clock());
  return true;
}

/** Generates the orders' notifications one chunk per order in turn, until all are done or time is up. */
export async function generateFairly(
  env: Env,
  orders: ClaimedOrder[],
  clock: () => Date,
  deadline: number,
): Promise<void> {
  let active: Generation[] = orders.map((order) => ({
    order,
    next: order.nextRecipient,
    expiresAt: new Date(Date.parse(order.requestedSendTime) + EMAIL_TTL_MS).toISOString(),
  }));
  while (active.length && Date.now() <= deadline) {
    const still: Generation[] = [];
    for (const g of active) {
      // Out of time: the lease runs out and a later tick continues where this one stopped.
      if (Date.now() > deadline) return;
      try {
        if (!(await generateChunk(env, g, clock))) still.push(g);
      } catch (e) {
        await orderFailed(env, g.order, e, clock);
      }
    }
    active = still;
  }
}

/** Checks the claimed orders' send conditions at once; returns the orders to generate now. */
async function checkConditions(env: Env, claimed: ClaimedOrder[], clock: () => Date): Promise<ClaimedOrder[]> {
  const decided = await Promise.all(
    claimed.map(async (order) => {
      if (order.nextRecipient !== 0 || !order.conditionEndpoint) return order;
      try {
        const action = conditionAction(
          await checkCondition(order.conditionEndpoint, env.ALLOW_INSECURE_ENDPOINTS === "true"),
          order.conditionAttempts,
        );
        const now = clock();
        if (action === "skip") await finishOrder(env, order.id, order.claimToken, "SendConditionNotMet", now);
        else if (action === "retry")
          await postponeOrder(env, order.id, order.claimToken, new Date(now.getTime() + CONDITION_RETRY_MS), now);
        return action === "send" ? order : null;
      } catch (e) {
        await orderFailed(env, order, e, clock).catch(() => {});
        return null;
      }
    }),
  );
  return decided.filter((o): o is ClaimedOrder => o !== null);
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
    const claimed = await claimOrders(
      env,
      at,
      crypto.randomUUID(),
      new Date(at.getTime() + LEASE_MS),
      CLAIM_BATCH,
      MAX_ORDER_FAILURES,
    );
    if (!claimed.length) break;
    await generateFairly(env, await checkConditions(env, claimed, clock), clock, deadline);
    processed += claimed.length;
  }
  // Orders that completed or whose condition was not met, recipients that failed the look-up: their events.
  await publishStatusEvents(env, clock());
  return processed;
}

/**
 * The e-mail outbox sweep: sends whose consumer died and messages the queue lost go back to waiting,
 * e-mails past their TTL fail, and every unfinished order's window is topped up.
 */
export async function sweepEmails(env: Env, now: Date): Promise<void> {
  const touched = new Set<string>();
  for (const step of [resetStuckSends, expireNew, resetLostMessages]) {
    for (let round = 0; round < SWEEP_ROUNDS; round++) {
      const orders = await step(env, now, SWEEP_LIMIT);
      for (const id of orders) touched.add(id);
      if (orders.length < SWEEP_LIMIT) break;
    }
  }
  await completeOrders(env, [...touched], now);
  await feedOrders(env, [...new Set([...touched, ...(await processingOrders(env, now))])], now);
}

/** The cron's notification work. */
export async function runNotificationTick(env: Env, now: Date): Promise<void> {
  await processDueOrders(env, now);
  await sweepEmails(env, now);
  // The sweeps' changes (Failed_TTL, completions), and anything an earlier call left owed.
  await publishStatusEvents(env, now);
}

/** An order due now starts at once instead of waiting for the next tick (claims keep it single). */
export function kickProcessing(app: AppContext): void {
  app.exec.waitUntil(
    processDueOrders(app.env, app.now()).catch((e) =>
      console.error(JSON.stringify({ msg: "immediate order processing failed; the cron retries", error: String(e) })),
    ),
  );
}
