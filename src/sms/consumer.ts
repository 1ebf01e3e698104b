/**
 * The SMS queue consumer (SPEC §5.7). Each message is one PSWin session of one order (feed.ts).
 * New→Sending is one atomic statement with a lease, so a redelivered message never sends twice at
 * once and a crashed consumer's SMS are sent again only after the lease; transient gateway failures
 * go back to New and are retried, nothing is acknowledged before its outcome is stored, and an SMS
 * outside the Daytime window waits for it.
 */
import type { Env } from "../env";
import { errorText } from "../lib/errors";
import { parseSchedule } from "../lib/schedule";
import { retryDelaySeconds } from "../notifications/model";
import { type AfterBatch, awaitNow, publishStatusEvents } from "../notifications/status-events";
import { substituteKeywords } from "../notifications/resolve";
import { daytimeWindow, isWithinDaytime, nextAllowedSendTime, type DaytimeWindow } from "./daytime";
import { DEFAULT_SENDER, DEFAULT_SMS_RETRY_SCHEDULE } from "./model";
import type { OutgoingSms, SmsProvider, SmsSendResult } from "./provider";
import { enqueueSessions, feedStatement, sessionsOf } from "./feed";
import {
  anytimeSms,
  claimSmsForSending,
  completeSmsOrders,
  deferSms,
  expireSmsByIds,
  recordSmsOutcomesStatement,
  releaseSms,
  smsPendingStates,
  type SmsJob,
  type SmsOutcome,
  type SmsPendingState,
} from "./queries";
import { gatewaySessions, messageIds, settlement, type SmsNeed, type SmsUnit } from "./session";
import { sendEach } from "../lib/send-each";

/** A claimed session is held this long; after it, a crashed consumer's SMS are sent again. */
export const SEND_LEASE_MS = 120_000;
/** No session starts later than this before its lease ends (the gateway gets 30 s to answer). */
export const LAST_START_BEFORE_LEASE_END_MS = 40_000;
/** Workers allow six simultaneous outgoing connections per invocation. */
const CONCURRENCY = 6;
/** Queue retries used before the SMS is left to the cron's sweep. */
export const MAX_QUEUE_ATTEMPTS = 8;
/** Cloudflare Queues delay a retry by at most 12 hours. */
const MAX_QUEUE_DELAY_S = 43_200;

/** Pure: the gateway message for one job, keywords substituted, TTL = the time left before expiry. */
export function composeSms(job: SmsJob, now: Date): OutgoingSms {
  return {
    id: job.id,
    text: substituteKeywords(job.body, job.recipientName, job.recipientNumber),
    sender: job.senderNumber || DEFAULT_SENDER,
    receiver: job.mobileNumber,
    ttlMinutes: Math.max(1, Math.ceil((Date.parse(job.expiresAt) - now.getTime()) / 60_000)),
  };
}

/** Pure: the stored outcome of one send attempt, and the queue delay when it is retried through the queue. */
export function smsOutcomeOf(
  job: SmsJob,
  result: SmsSendResult,
  now: Date,
  schedule: number[],
  queueAttempts: number,
  window: DaytimeWindow,
): { outcome: SmsOutcome; retryDelay?: number } {
  if (result.status === "Accepted")
    return { outcome: { id: job.id, status: "Accepted", gatewayReference: result.gatewayReference } };
  if (result.status !== "Transient") return { outcome: { id: job.id, status: result.status, error: result.error } };
  const due = nextAllowedSendTime(new Date(now.getTime() + retryDelaySeconds(schedule, job.attempts) * 1000), window);
  const delay = Math.max(1, Math.ceil((due.getTime() - now.getTime()) / 1000));
  const viaQueue = queueAttempts < MAX_QUEUE_ATTEMPTS && delay <= MAX_QUEUE_DELAY_S;
  return {
    outcome: { id: job.id, status: "New", dueAt: due.toISOString(), error: result.error, enqueued: viaQueue },
    ...(viaQueue ? { retryDelay: delay } : {}),
  };
}

/** Pure: what to do with a message whose SMS could not be claimed. */
export function unclaimedSmsAction(
  s: SmsPendingState | undefined,
  now: Date,
): { kind: "ack" } | { kind: "expire" } | { kind: "retry"; delaySeconds: number } {
  if (!s || (s.status !== "New" && s.status !== "Sending")) return { kind: "ack" };
  const t = now.getTime();
  if (Date.parse(s.expiresAt) < t) return { kind: "expire" };
  const until = s.status === "Sending" ? Date.parse(s.sendingUntil ?? s.dueAt) : Date.parse(s.dueAt);
  const delaySeconds = Math.max(1, Math.ceil((until - t) / 1000));
  // Too far off for the queue (a Daytime wait): the sweep hands it over when due.
  return delaySeconds > MAX_QUEUE_DELAY_S ? { kind: "ack" } : { kind: "retry", delaySeconds };
}

async function sendSession(provider: SmsProvider, jobs: SmsJob[], now: Date): Promise<SmsSendResult[]> {
  try {
    return await provider.send(jobs.map((j) => composeSms(j, now)));
  } catch (e) {
    return jobs.map(() => ({ status: "Transient", error: errorText(e) }));
  }
}

/**
 * One batch: each message is a gateway session (feed.ts). The batch's SMS are claimed in one
 * statement, the sessions go to the gateway in parallel (six connections), and each session's outcomes
 * are stored in one statement together with the top-up of its order's window, as soon as the gateway
 * answered it; a message is acknowledged only once each of its SMS is decided.
 */
export async function consumeSmsBatch(
  batch: MessageBatch<unknown>,
  env: Env,
  provider: SmsProvider | null,
  clock: () => Date = () => new Date(),
  afterBatch: AfterBatch = awaitNow,
): Promise<void> {
  const units: SmsUnit<Message<unknown>>[] = [];
  for (const m of batch.messages) {
    const ids = messageIds(m.body);
    if (ids) units.push({ message: m, ids });
    else m.ack(); // not ours to understand; retrying would not help
  }
  if (!units.length) return;
  // Each SMS once, with the queue attempts of the first message naming it.
  const attempts = new Map<string, number>();
  for (const u of units) for (const id of u.ids) if (!attempts.has(id)) attempts.set(id, u.message.attempts);
  const needs = new Map<string, SmsNeed>();
  const finals = new Set<string>();
  try {
    const now = clock();
    const window = daytimeWindow(env.SMS_DAYTIME, env.SMS_TIME_ZONE);
    let open = [...attempts.keys()];
    if (provider && !isWithinDaytime(now, window)) {
      // Outside the Daytime window: all but Anytime shipments' SMS (SPEC §5.5) wait (New) for the feed.
      const anytime = await anytimeSms(env, open);
      const wait = open.filter((id) => !anytime.has(id));
      await deferSms(env, wait, nextAllowedSendTime(now, window));
      for (const id of wait) needs.set(id, "done");
      open = open.filter((id) => anytime.has(id));
    }
    if (!provider) {
      // No gateway configured: the SMS wait (New) and the sweep hands them over later.
      await deferSms(env, open, new Date(now.getTime() + 60_000));
      console.warn(
        JSON.stringify({ msg: "no SMS gateway configured (SMS_GATEWAY_URL); SMS wait", count: open.length }),
      );
      for (const id of open) needs.set(id, "done");
      open = [];
    }
    if (open.length) await sendClaimed(env, provider!, open, units, attempts, needs, finals, now, clock);
  } catch (e) {
    console.error(JSON.stringify({ msg: "SMS batch failed; retrying", error: errorText(e) }));
  }
  for (const u of units) {
    const s = settlement(u.ids, needs, 10);
    if (s.kind === "ack") u.message.ack();
    else u.message.retry({ delaySeconds: s.delaySeconds });
  }
  try {
    const after = clock();
    await completeSmsOrders(env, [...finals], after);
    await afterBatch(publishStatusEvents(env, after));
  } catch (e) {
    // Stored outcomes stand; the sweep completes the orders and publishes what is owed.
    console.error(JSON.stringify({ msg: "SMS order completion failed; the sweep retries", error: errorText(e) }));
  }
}

async function sendClaimed(
  env: Env,
  provider: SmsProvider,
  open: string[],
  units: SmsUnit<Message<unknown>>[],
  attempts: Map<string, number>,
  needs: Map<string, SmsNeed>,
  finals: Set<string>,
  now: Date,
  clock: () => Date,
): Promise<void> {
  const window = daytimeWindow(env.SMS_DAYTIME, env.SMS_TIME_ZONE);
  const jobs = await claimSmsForSending(
    env,
    open,
    now,
    new Date(now.getTime() + SEND_LEASE_MS),
    new Date(now.getTime() + 2000),
  );
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const unclaimed = open.filter((id) => !byId.has(id));
  const states = new Map((await smsPendingStates(env, unclaimed)).map((s) => [s.id, s]));
  const expired: string[] = [];
  for (const id of unclaimed) {
    const action = unclaimedSmsAction(states.get(id), now);
    needs.set(id, action.kind === "retry" ? action.delaySeconds : "done");
    if (action.kind === "expire") {
      expired.push(id);
      finals.add(states.get(id)!.orderId);
    }
  }
  await expireSmsByIds(env, expired, now);

  const schedule = parseSchedule(env.SMS_RETRY_SCHEDULE, DEFAULT_SMS_RETRY_SCHEDULE);
  const sessions = gatewaySessions(units, new Set(byId.keys())).map((ids) => ids.map((id) => byId.get(id)!));
  await sendEach(sessions, {
    concurrency: CONCURRENCY,
    stopStartingAt: now.getTime() + SEND_LEASE_MS - LAST_START_BEFORE_LEASE_END_MS,
    now: () => clock().getTime(),
    send: (session) => sendSession(provider, session, now),
    record: async (session, results) => {
      const at = clock();
      const decided = session.map((job, i) => ({
        job,
        ...smsOutcomeOf(
          job,
          results[i] ?? { status: "Transient", error: "no result" },
          at,
          schedule,
          attempts.get(job.id) ?? 1,
          window,
        ),
      }));
      const orders = [...new Set(session.map((j) => j.orderId))];
      let fed: { id: string; order_id: string }[];
      try {
        // The outcomes and the top-up of the order's window they free: one transaction.
        const stored = await env.DB.batch<{ id: string; order_id: string }>([
          recordSmsOutcomesStatement(
            env,
            decided.map((d) => d.outcome),
            at,
          ),
          ...orders.map((o) => feedStatement(env, o, at)),
        ]);
        fed = stored.slice(1).flatMap((r) => r.results);
      } catch (e) {
        // Not stored: the message comes back, and the lease keeps the SMS from a second send until it ends.
        console.error(JSON.stringify({ msg: "SMS outcomes not stored", count: session.length, error: errorText(e) }));
        return;
      }
      for (const d of decided) {
        needs.set(d.job.id, d.retryDelay ?? "done");
        if (d.outcome.status !== "New") finals.add(d.job.orderId);
      }
      const retried = decided.find((d) => d.outcome.status === "New");
      if (retried)
        console.warn(
          JSON.stringify({
            msg: "SMS gateway send failed; will retry",
            count: decided.filter((d) => d.outcome.status === "New").length,
            provider: provider.name,
            error: ("error" in retried.outcome ? retried.outcome.error : "").slice(0, 200),
          }),
        );
      await enqueueSessions(env, sessionsOf(fed));
    },
    handBack: async (left) => {
      const ids = left.flat().map((j) => j.id);
      await releaseSms(env, ids, clock());
      for (const id of ids) needs.set(id, 1);
    },
  });
}
