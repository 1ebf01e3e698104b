/**
 * The e-mail queue consumer (SPEC §5.3). Each message names one notification. The move New→Sending
 * is one atomic statement, so a redelivered or duplicated message never sends an e-mail twice at
 * once, and a Succeeded e-mail is never sent again. Transient provider failures go back to New and
 * the message is retried later; nothing is acknowledged before its outcome is stored.
 */
import type { EmailProvider, OutgoingEmail, SendResult } from "../email/provider";
import type { Env } from "../env";
import { mapLimited } from "../lib/parallel";
import { parseSchedule } from "../lib/schedule";
import { DEFAULT_EMAIL_RETRY_SCHEDULE, retryDelaySeconds } from "./model";
import type { EmailMessage } from "./processing";
import { claimForSending, completeOrders, expireByIds, pendingStates, recordOutcomes, type PendingState, type SendJob, type SendOutcome } from "./queries";
import { substituteKeywords } from "./resolve";
import { errorText } from "../lib/errors";

/** A send is given this long before another delivery of its message may take it over. */
export const SEND_LEASE_MS = 120_000;
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

/** Pure: the stored outcome of one send attempt. */
export function outcomeOf(job: SendJob, result: SendResult, now: Date, schedule: number[], queueAttempts: number): { outcome: SendOutcome; retryDelay?: number } {
  if (result.ok) return { outcome: { id: job.id, status: "Succeeded", providerMessageId: result.providerMessageId } };
  if (result.invalidAddress) return { outcome: { id: job.id, status: "Failed_InvalidEmailFormat", error: result.error } };
  if (!result.transient) return { outcome: { id: job.id, status: "Failed", error: result.error } };
  const delay = retryDelaySeconds(schedule, job.attempts);
  const dueAt = new Date(now.getTime() + delay * 1000).toISOString();
  const viaQueue = queueAttempts < MAX_QUEUE_ATTEMPTS;
  return { outcome: { id: job.id, status: "New", dueAt, error: result.error, enqueued: viaQueue }, ...(viaQueue ? { retryDelay: delay } : {}) };
}

/** Pure: what to do with a message whose notification could not be claimed for sending. */
export function unclaimedAction(s: PendingState | undefined, now: Date): { kind: "ack" } | { kind: "expire" } | { kind: "retry"; delaySeconds: number } {
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

export async function consumeEmailBatch(batch: MessageBatch<unknown>, env: Env, provider: EmailProvider, clock: () => Date = () => new Date()): Promise<void> {
  const byId = new Map<string, Message<unknown>>();
  for (const m of batch.messages) {
    const id = (m.body as Partial<EmailMessage> | null)?.notificationId;
    if (typeof id === "string" && id.length <= 64) byId.set(id, m);
    else m.ack(); // not ours to understand; retrying would not help
  }
  if (!byId.size) return;
  try {
    const now = clock();
    // Allow a little clock slack: a retry delivered a moment early is still due.
    const jobs = await claimForSending(env, [...byId.keys()], now, new Date(now.getTime() + SEND_LEASE_MS), new Date(now.getTime() + 2000));
    const claimed = new Set(jobs.map((j) => j.id));

    const unclaimed = [...byId.keys()].filter((id) => !claimed.has(id));
    const states = new Map((await pendingStates(env, unclaimed)).map((s) => [s.id, s]));
    const expired: string[] = [];
    for (const id of unclaimed) {
      const action = unclaimedAction(states.get(id), now);
      if (action.kind === "retry") byId.get(id)!.retry({ delaySeconds: action.delaySeconds });
      else {
        if (action.kind === "expire") expired.push(id);
        byId.get(id)!.ack();
      }
    }
    await expireByIds(env, expired, now);

    const schedule = parseSchedule(env.EMAIL_RETRY_SCHEDULE, DEFAULT_EMAIL_RETRY_SCHEDULE);
    let results: SendResult[];
    try {
      results = await mapLimited(jobs, CONCURRENCY, (job) => safeSend(provider, composeEmail(job)));
    } finally {
      await provider.close?.().catch(() => {});
    }
    const after = clock();
    const decided = jobs.map((job, i) => ({ job, ...outcomeOf(job, results[i]!, after, schedule, byId.get(job.id)!.attempts) }));
    await recordOutcomes(env, decided.map((d) => d.outcome), after);
    for (const d of decided) {
      const m = byId.get(d.job.id)!;
      if (d.retryDelay !== undefined) m.retry({ delaySeconds: d.retryDelay });
      else m.ack();
      if (d.outcome.status === "New") console.warn(JSON.stringify({ msg: "e-mail send failed; will retry", notificationId: d.job.id, provider: provider.name, error: d.outcome.error.slice(0, 200) }));
    }
    const finals = decided.filter((d) => d.outcome.status !== "New").map((d) => d.job.orderId);
    await completeOrders(env, [...finals, ...expired.map((id) => states.get(id)!.orderId)], after);
  } catch (e) {
    // Storage trouble: nothing was acknowledged that is not stored; let the queue deliver again.
    console.error(JSON.stringify({ msg: "e-mail batch failed; retrying", error: errorText(e) }));
    for (const m of byId.values()) m.retry({ delaySeconds: 10 });
  }
}
