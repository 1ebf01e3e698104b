/**
 * The SMS queue consumer (SPEC §5.7). Each message names one SMS; a batch goes to the gateway as one
 * PSWin session. New→Sending is one atomic statement, so a redelivered message never sends twice at
 * once; transient gateway failures go back to New and are retried, nothing is acknowledged before its
 * outcome is stored, and an SMS outside the Daytime window waits for it.
 */
import type { Env } from "../env";
import { errorText } from "../lib/errors";
import { parseSchedule } from "../lib/schedule";
import { retryDelaySeconds } from "../notifications/model";
import { publishStatusEvents } from "../notifications/status-events";
import { substituteKeywords } from "../notifications/resolve";
import { daytimeWindow, isWithinDaytime, nextAllowedSendTime, type DaytimeWindow } from "./daytime";
import { DEFAULT_SENDER, DEFAULT_SMS_RETRY_SCHEDULE } from "./model";
import type { SmsMessage } from "./processing";
import type { OutgoingSms, SmsProvider, SmsSendResult } from "./provider";
import {
  anytimeSms,
  claimSmsForSending,
  completeSmsOrders,
  deferSms,
  expireSmsByIds,
  recordSmsOutcomes,
  smsPendingStates,
  type SmsJob,
  type SmsOutcome,
  type SmsPendingState,
} from "./queries";

export const SEND_LEASE_MS = 120_000;
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

export async function consumeSmsBatch(
  batch: MessageBatch<unknown>,
  env: Env,
  provider: SmsProvider | null,
  clock: () => Date = () => new Date(),
): Promise<void> {
  const byId = new Map<string, Message<unknown>>();
  for (const m of batch.messages) {
    const id = (m.body as Partial<SmsMessage> | null)?.notificationId;
    if (typeof id === "string" && id.length <= 64) byId.set(id, m);
    else m.ack();
  }
  if (!byId.size) return;
  try {
    const now = clock();
    const window = daytimeWindow(env.SMS_DAYTIME, env.SMS_TIME_ZONE);
    if (provider && !isWithinDaytime(now, window)) {
      // Outside the Daytime window: all but Anytime shipments' SMS (SPEC §5.5) wait (New) for the sweep.
      const anytime = await anytimeSms(env, [...byId.keys()]);
      const wait = [...byId.keys()].filter((id) => !anytime.has(id));
      await deferSms(env, wait, nextAllowedSendTime(now, window));
      for (const id of wait) {
        byId.get(id)!.ack();
        byId.delete(id);
      }
      if (!byId.size) return;
    }
    if (!provider) {
      // No gateway configured: the SMS wait (New) and the sweep hands them over later.
      await deferSms(env, [...byId.keys()], new Date(now.getTime() + 60_000));
      console.warn(JSON.stringify({ msg: "no SMS gateway configured (SMS_GATEWAY_URL); SMS wait", count: byId.size }));
      for (const m of byId.values()) m.ack();
      return;
    }
    const jobs = await claimSmsForSending(
      env,
      [...byId.keys()],
      now,
      new Date(now.getTime() + SEND_LEASE_MS),
      new Date(now.getTime() + 2000),
    );
    const claimed = new Set(jobs.map((j) => j.id));
    const unclaimed = [...byId.keys()].filter((id) => !claimed.has(id));
    const states = new Map((await smsPendingStates(env, unclaimed)).map((s) => [s.id, s]));
    const expired: string[] = [];
    for (const id of unclaimed) {
      const action = unclaimedSmsAction(states.get(id), now);
      if (action.kind === "retry") byId.get(id)!.retry({ delaySeconds: action.delaySeconds });
      else {
        if (action.kind === "expire") expired.push(id);
        byId.get(id)!.ack();
      }
    }
    await expireSmsByIds(env, expired, now);

    const schedule = parseSchedule(env.SMS_RETRY_SCHEDULE, DEFAULT_SMS_RETRY_SCHEDULE);
    let results: SmsSendResult[];
    try {
      results = await provider.send(jobs.map((j) => composeSms(j, now)));
    } catch (e) {
      results = jobs.map(() => ({ status: "Transient", error: errorText(e) }));
    }
    const after = clock();
    const decided = jobs.map((job, i) => ({
      job,
      ...smsOutcomeOf(
        job,
        results[i] ?? { status: "Transient", error: "no result" },
        after,
        schedule,
        byId.get(job.id)!.attempts,
        window,
      ),
    }));
    await recordSmsOutcomes(
      env,
      decided.map((d) => d.outcome),
      after,
    );
    for (const d of decided) {
      const m = byId.get(d.job.id)!;
      if (d.retryDelay !== undefined) m.retry({ delaySeconds: d.retryDelay });
      else m.ack();
    }
    const retried = decided.filter((d) => d.outcome.status === "New");
    if (retried.length)
      console.warn(
        JSON.stringify({
          msg: "SMS gateway send failed; will retry",
          count: retried.length,
          provider: provider.name,
          error: ("error" in retried[0]!.outcome ? retried[0]!.outcome.error : "").slice(0, 200),
        }),
      );
    const finals = decided.filter((d) => d.outcome.status !== "New").map((d) => d.job.orderId);
    await completeSmsOrders(env, [...finals, ...expired.map((id) => states.get(id)!.orderId)], after);
    await publishStatusEvents(env, after);
  } catch (e) {
    console.error(JSON.stringify({ msg: "SMS batch failed; retrying", error: errorText(e) }));
    for (const m of byId.values()) m.retry({ delaySeconds: 10 });
  }
}
