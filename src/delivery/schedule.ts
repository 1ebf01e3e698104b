/** Retry timing and outcome classification for pushes (SPEC §4.5). Pure: the clock is passed in. */

/** Delays in seconds after attempt 1, 2, …: 12 attempts in all. */
export const DEFAULT_PUSH_SCHEDULE = [10, 30, 60, 300, 600, 1800, 3600, 10800, 21600, 43200, 43200];
/** Validation handshake retries (SPEC §4.4). */
export const DEFAULT_VALIDATION_SCHEDULE = [30, 60, 120, 120, 120];
/** The longest wait a `Retry-After` header can ask for. */
export const MAX_RETRY_AFTER_SECONDS = 43200;

/** `Retry-After` as seconds from now: delta-seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const v = value.trim();
  let seconds: number;
  if (/^\d+$/.test(v)) seconds = Number(v);
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at) || !/[a-z]/i.test(v)) return null;
    seconds = Math.ceil((at - now.getTime()) / 1000);
  }
  return Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER_SECONDS);
}

/** What one HTTP attempt produced. `statusCode` null means no response (timeout, connection error). */
export interface AttemptResult {
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  retryAfterSeconds: number | null;
  /** The start of the response body, kept with a dead letter. */
  responseSnippet: string | null;
  /** Set when the destination rule refused the endPoint: nothing was sent (the subscription is disabled). */
  refused?: string;
}

export type Outcome =
  | { kind: "delivered" }
  | { kind: "gone"; reason: string }
  | { kind: "retry"; at: number; reason: string }
  | { kind: "dead"; reason: string };

export function failureReason(r: AttemptResult): string {
  if (r.statusCode === null) return r.error ?? "No response.";
  if (r.statusCode >= 300 && r.statusCode < 400) return `HTTP ${r.statusCode}: redirects are not followed.`;
  return `HTTP ${r.statusCode}`;
}

/**
 * After attempt number `attempt` (1-based): delivered on 2xx, subscription gone on 410, otherwise
 * a retry after the schedule's delay (or the `Retry-After` of a 429/503), or dead after the last.
 */
export function decide(
  attempt: number,
  r: AttemptResult,
  schedule: readonly number[],
  startedMs: number,
  answeredMs: number = startedMs,
): Outcome {
  if (r.statusCode !== null && r.statusCode >= 200 && r.statusCode < 300) return { kind: "delivered" };
  const reason = failureReason(r);
  if (r.statusCode === 410) return { kind: "gone", reason: "The endpoint answered 410 Gone." };
  if (attempt > schedule.length) return { kind: "dead", reason: `Gave up after ${attempt} attempts; last: ${reason}` };
  // The schedule's delay counts from the start of the failed attempt (SPEC §4.5); a Retry-After
  // counts from the answer that carried it.
  const honoured =
    (r.statusCode === 429 || r.statusCode === 503) && r.retryAfterSeconds !== null ? r.retryAfterSeconds : null;
  if (honoured !== null) return { kind: "retry", at: answeredMs + honoured * 1000, reason };
  return { kind: "retry", at: startedMs + schedule[attempt - 1]! * 1000, reason };
}

export type PushKind = "first" | "retry";

/**
 * Fair interleave (issue 8 point 5): first attempts go in publish order, due retries are not starved
 * by them. After a first attempt a due retry goes next, and the other way round; with only one kind
 * due, that one goes.
 */
export function pickNext<T>(
  first: T | null,
  retry: T | null,
  last: PushKind | null,
): { push: T; kind: PushKind } | null {
  if (first && retry) return last === "first" ? { push: retry, kind: "retry" } : { push: first, kind: "first" };
  if (first) return { push: first, kind: "first" };
  if (retry) return { push: retry, kind: "retry" };
  return null;
}
