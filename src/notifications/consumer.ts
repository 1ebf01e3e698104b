/**
 * The e-mail queue consumer (SPEC §5.3). Each message names one notification. The move New→Sending
 * is one atomic statement, so a redelivered or duplicated message never sends an e-mail twice at
 * once, and a Succeeded e-mail is never sent again. Transient provider failures go back to New and
 * the message is retried later; nothing is acknowledged before its outcome is stored, and each outcome is
 * stored as soon as its send completes (outcomes completing during another's write share the next
 * write), so a crash repeats at most the sends in flight or being recorded. A misconfigured
 * provider fails the e-mail at once with the reason on its status description (SPEC §7.5).
 */
import type { EmailProvider, OutgoingEmail, SendResult } from "../email/provider";
import type { Env } from "../env";
import { groupCommit } from "../lib/group-commit";
import { sendEach } from "../lib/send-each";
import { parseSchedule } from "../lib/schedule";
import { DEFAULT_EMAIL_RETRY_SCHEDULE, retryDelaySeconds } from "./model";
import { feedOrders, type EmailMessage } from "./email-outbox";
import {
  claimForSending,
  completeOrders,
  expireByIds,
  pendingStates,
  recordOutcomes,
  releaseSends,
  type PendingState,
  type SendJob,
  type SendOutcome,
} from "./queries";
import { substituteKeywords } from "./resolve";
import { type AfterBatch, awaitNow, publishStatusEvents } from "./status-events";
import { errorText } from "../lib/errors";

/** A claimed send is given this long before the sweep hands it over again (its consumer presumed dead). */
export const SEND_LEASE_MS = 90_000;
/** No send starts later than this before its lease ends (a send may take the provider's 30 s timeout). */
export const LAST_START_BEFORE_LEASE_END_MS = 40_000;
/** Queue retries used before the e-mail is left to the cron's sweep (the queue drops a message after max_retries). */
export const MAX_QUEUE_ATTEMPTS = 8;
/** Workers allow six simultaneous outgoing connections per invocation. */
const CONCURRENCY = 6;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The personalised e-mail for one job. Names are escaped in HTML bodies; the subject is one line. */
export function composeEmail(job: SendJob): OutgoingEmail {
  const html = job.contentType === "Html";
  const name = html ? escapeHtml(job.recipientName) : job.recipientName;
  return {
    to: job.emailAddress,
    from: job.fromAddress,
    subject: substituteKeywords(job.subject, job.recipientName, job.recipientNumber).replace(/[\r\n]+/g, " "),
    body: substituteKeywords(job.body, name, job.recipientNumber),
    contentType: job.contentType,
    idempotencyKey: job.id,
  };
}

/** The status description of an e-mail failed by a misconfigured provider (no secret is ever in `error`). */
export function misconfiguredReason(error: string): string {
  return `The email was not sent because the e-mail service is misconfigured. ${error.slice(0, 300)}`;
}

/** Pure: the stored outcome of one send attempt. */
export function outcomeOf(
  job: SendJob,
  result: SendResult,
  now: Date,
  schedule: number[],
  queueAttempts: number,
): { outcome: SendOutcome; retryDelay?: number } {
  if (result.ok) return { outcome: { id: job.id, status: "Succeeded", providerMessageId: result.providerMessageId } };
  if (result.misconfigured)
    return {
      outcome: { id: job.id, status: "Failed", error: result.error, reason: misconfiguredReason(result.error) },
    };
  if (result.invalidAddress)
    return { outcome: { id: job.id, status: "Failed_InvalidEmailFormat", error: result.error } };
  if (!result.transient) return { outcome: { id: job.id, status: "Failed", error: result.error } };
  const delay = retryDelaySeconds(schedule, job.attempts);
  const dueAt = new Date(now.getTime() + delay * 1000).toISOString();
  const viaQueue = queueAttempts < MAX_QUEUE_ATTEMPTS;
  return {
    outcome: { id: job.id, status: "New", dueAt, error: result.error, enqueued: viaQueue },
    ...(viaQueue ? { retryDelay: delay } : {}),
  };
}

/** Pure: what to do with a message whose notification could not be claimed for sending. */
export function unclaimedAction(
  s: PendingState | undefined,
  now: Date,
): { kind: "ack" } | { kind: "expire" } | { kind: "retry"; delaySeconds: number } {
  if (!s) return { kind: "ack" };
  const t = now.getTime();
  if (s.status !== "New" && s.status !== "Sending") return { kind: "ack" };
  if (Date.parse(s.expiresAt) < t) return { kind: "expire" };
  // Someone else is sending it right now, or it is not due yet: look again when that changes.
  const until = s.status === "Sending" ? Date.parse(s.sendingUntil ?? s.dueAt) : Date.parse(s.dueAt);
  return { kind: "retry", delaySeconds: Math.max(1, Math.ceil((until - t) / 1000)) };
}

async function safeSend(provider: EmailProvider, mail: OutgoingEmail): Promise<SendResult> {
  try {
    return await provider.send(mail);
  } catch (e) {
    return { ok: false, transient: true, error: errorText(e) };
  }
}

export async function consumeEmailBatch(
  batch: MessageBatch<unknown>,
  env: Env,
  provider: EmailProvider,
  clock: () => Date = () => new Date(),
  afterBatch: AfterBatch = awaitNow,
): Promise<void> {
  const byId = new Map<string, Message<unknown>>();
  for (const m of batch.messages) {
    const id = (m.body as Partial<EmailMessage> | null)?.notificationId;
    if (typeof id === "string" && id.length <= 64) byId.set(id, m);
    else m.ack(); // not ours to understand; retrying would not help
  }
  if (!byId.size) return;
  const settled = new Set<string>();
  const settle = (id: string, retryDelay?: number) => {
    const m = byId.get(id)!;
    if (retryDelay !== undefined) m.retry({ delaySeconds: retryDelay });
    else m.ack();
    settled.add(id);
  };
  try {
    const now = clock();
    // Allow a little clock slack: a retry delivered a moment early is still due.
    const jobs = await claimForSending(
      env,
      [...byId.keys()],
      now,
      new Date(now.getTime() + SEND_LEASE_MS),
      new Date(now.getTime() + 2000),
    );
    const claimed = new Set(jobs.map((j) => j.id));

    const unclaimed = [...byId.keys()].filter((id) => !claimed.has(id));
    const states = new Map((await pendingStates(env, unclaimed)).map((s) => [s.id, s]));
    const expired: string[] = [];
    for (const id of unclaimed) {
      const action = unclaimedAction(states.get(id), now);
      if (action.kind === "retry") settle(id, action.delaySeconds);
      else {
        if (action.kind === "expire") expired.push(id);
        settle(id);
      }
    }
    await expireByIds(env, expired, now);

    const schedule = parseSchedule(env.EMAIL_RETRY_SCHEDULE, DEFAULT_EMAIL_RETRY_SCHEDULE);
    // Outcomes that complete while one is being written go together in the next write: one D1
    // statement for several e-mails, and still none acknowledged before it is stored.
    const store = groupCommit<{ outcome: SendOutcome; at: Date }>((items) =>
      recordOutcomes(
        env,
        items.map((i) => i.outcome),
        items.at(-1)!.at,
      ),
    );
    const finals = new Set(expired.map((id) => states.get(id)!.orderId));
    try {
      await sendEach(jobs, {
        concurrency: CONCURRENCY,
        stopStartingAt: now.getTime() + SEND_LEASE_MS - LAST_START_BEFORE_LEASE_END_MS,
        now: () => clock().getTime(),
        send: (job) => safeSend(provider, composeEmail(job)),
        record: async (job, result) => {
          const at = clock();
          const d = outcomeOf(job, result, at, schedule, byId.get(job.id)!.attempts);
          try {
            await store({ outcome: d.outcome, at });
          } catch (e) {
            // Not stored: the lease runs out and the sweep hands it over again (the provider's idempotency key helps).
            console.error(
              JSON.stringify({ msg: "e-mail outcome not stored", notificationId: job.id, error: errorText(e) }),
            );
            return;
          }
          settle(job.id, d.retryDelay);
          if (d.outcome.status === "New")
            console.warn(
              JSON.stringify({
                msg: "e-mail send failed; will retry",
                notificationId: job.id,
                provider: provider.name,
                error: d.outcome.error.slice(0, 200),
              }),
            );
          else finals.add(job.orderId);
        },
        handBack: async (left) => {
          await releaseSends(
            env,
            left.map((j) => j.id),
            clock(),
          );
          for (const j of left) settle(j.id, 1);
        },
      });
    } finally {
      await provider.close?.().catch(() => {});
    }
    const after = clock();
    await completeOrders(env, [...finals], after);
    // The window of each order sent from has room again: top it up (fairly, one window per order).
    await feedOrders(env, [...new Set(jobs.map((j) => j.orderId))], after);
    await afterBatch(publishStatusEvents(env, after));
  } catch (e) {
    // Storage trouble: nothing was acknowledged that is not stored; let the queue deliver the rest again.
    console.error(JSON.stringify({ msg: "e-mail batch failed; retrying", error: errorText(e) }));
    for (const [id, m] of byId) if (!settled.has(id)) m.retry({ delaySeconds: 10 });
  }
}
