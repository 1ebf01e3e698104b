import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { decide, DEFAULT_PUSH_SCHEDULE, parseRetryAfter, type AttemptResult } from "../../src/delivery/schedule";
import { parseSchedule } from "../../src/lib/schedule";
import { pushTimeoutMs } from "../../src/delivery/send";
import { signingInput, webhookHeaders } from "../../src/delivery/sign";
import { newSecret } from "../../src/subscriptions/rules";

const result = (statusCode: number | null, over: Partial<AttemptResult> = {}): AttemptResult => ({
  statusCode,
  durationMs: 5,
  error: statusCode === null ? "Request failed: connection refused" : null,
  retryAfterSeconds: null,
  responseSnippet: null,
  ...over,
});
const NOW = Date.parse("2026-03-01T12:00:00Z");

describe("retry schedule", () => {
  it("defaults to SPEC §4.5: 11 delays, 12 attempts", () => {
    expect(parseSchedule(undefined, DEFAULT_PUSH_SCHEDULE)).toEqual([
      10, 30, 60, 300, 600, 1800, 3600, 10800, 21600, 43200, 43200,
    ]);
    expect(parseSchedule("1, 1,2", DEFAULT_PUSH_SCHEDULE)).toEqual([1, 1, 2]);
    expect(parseSchedule("1,x", DEFAULT_PUSH_SCHEDULE)).toEqual(DEFAULT_PUSH_SCHEDULE);
    expect(parseSchedule("", [5])).toEqual([5]);
  });

  it("counts each delay from the previous failed attempt and dead-letters after the last", () => {
    const schedule = [10, 30];
    expect(decide(1, result(500), schedule, NOW)).toEqual({ kind: "retry", at: NOW + 10_000, reason: "HTTP 500" });
    expect(decide(2, result(null), schedule, NOW)).toEqual({
      kind: "retry",
      at: NOW + 30_000,
      reason: "Request failed: connection refused",
    });
    const dead = decide(3, result(500), schedule, NOW);
    expect(dead.kind).toBe("dead");
    expect(dead.kind === "dead" && dead.reason).toContain("3 attempts");
  });

  it("2xx delivers, 410 disables, 3xx is a failure", () => {
    expect(decide(1, result(204), [10], NOW)).toEqual({ kind: "delivered" });
    expect(decide(1, result(410), [10], NOW).kind).toBe("gone");
    expect(decide(1, result(301), [10], NOW)).toMatchObject({
      kind: "retry",
      reason: "HTTP 301: redirects are not followed.",
    });
  });

  it("honours Retry-After on 429 and 503 only", () => {
    expect(decide(1, result(429, { retryAfterSeconds: 120 }), [10], NOW)).toMatchObject({
      kind: "retry",
      at: NOW + 120_000,
    });
    expect(decide(1, result(503, { retryAfterSeconds: 1 }), [10], NOW)).toMatchObject({
      kind: "retry",
      at: NOW + 1_000,
    });
    expect(decide(1, result(500, { retryAfterSeconds: 120 }), [10], NOW)).toMatchObject({
      kind: "retry",
      at: NOW + 10_000,
    });
  });

  it("reads Retry-After as seconds or an HTTP date, clamped to 12 hours", () => {
    const now = new Date(NOW);
    expect(parseRetryAfter("7", now)).toBe(7);
    expect(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), now)).toBe(90);
    expect(parseRetryAfter(new Date(NOW - 90_000).toUTCString(), now)).toBe(0);
    expect(parseRetryAfter("999999", now)).toBe(43200);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter("-3", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

it("an endpoint has 30 s to answer unless PUSH_TIMEOUT_SECONDS says otherwise", () => {
  expect(pushTimeoutMs(undefined)).toBe(30_000);
  expect(pushTimeoutMs("2")).toBe(2_000);
  expect(pushTimeoutMs("0")).toBe(30_000);
  expect(pushTimeoutMs("soon")).toBe(30_000);
});

describe("signing", () => {
  it("signs id.timestamp.body, verifiable with the standardwebhooks library", async () => {
    expect(signingInput("12-3", 1700000000, '{"a":1}')).toBe('12-3.1700000000.{"a":1}');
    const secret = newSecret();
    const body = JSON.stringify({ id: "e1", text: "blåbær" });
    const ts = Math.floor(Date.now() / 1000);
    const headers = await webhookHeaders(secret, "12-3", ts, body);
    expect(headers).toMatchObject({ "webhook-id": "12-3", "webhook-timestamp": String(ts) });
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual({ id: "e1", text: "blåbær" });
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body + " ", headers)).toThrow();
  });
});

describe("when the next attempt is due", () => {
  const failed = { statusCode: 500, durationMs: 30_000, error: null, retryAfterSeconds: null, responseSnippet: null };
  it("counts the schedule's delay from the start of the failed attempt, and Retry-After from the answer", () => {
    expect(decide(1, failed, [10], 1_000, 31_000)).toEqual({ kind: "retry", at: 11_000, reason: "HTTP 500" });
    expect(decide(1, { ...failed, statusCode: 429, retryAfterSeconds: 5 }, [10], 1_000, 31_000)).toMatchObject({
      kind: "retry",
      at: 36_000,
    });
  });

  it("gives a push requeued after its last attempt the schedule anew (attempt numbers within the cycle)", () => {
    const attemptsBefore = 12;
    expect(decide(13 - attemptsBefore, failed, [10, 30], 0)).toMatchObject({ kind: "retry", at: 10_000 });
    expect(decide(13, failed, [10, 30], 0)).toMatchObject({ kind: "dead" });
  });
});
