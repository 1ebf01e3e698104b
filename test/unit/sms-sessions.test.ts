import { describe, expect, it } from "vitest";
import { SESSION_SIZE, SESSION_WINDOW, SMS_BATCH_SIZE, sessionsOf } from "../../src/sms/feed";
import { gatewaySessions, messageIds, settlement, type SmsNeed } from "../../src/sms/session";

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("SMS queue sessions", () => {
  it("an order's window is below the consumer's batch size, so another order's message fits in the next batch", () => {
    expect(SESSION_WINDOW).toBeLessThan(SMS_BATCH_SIZE);
  });

  it("cuts handed-over SMS into sessions of one order, at most 100 each, orders interleaved", () => {
    const rows = [...ids("a", 250).map((id) => ({ id, order_id: "A" })), { id: "b0", order_id: "B" }];
    const sessions = sessionsOf(rows);
    expect(sessions.map((s) => [s.orderId, s.ids.length])).toEqual([
      ["A", SESSION_SIZE],
      ["B", 1],
      ["A", SESSION_SIZE],
      ["A", 50],
    ]);
    expect(sessions.flatMap((s) => s.ids).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it("reads session messages and the earlier one-SMS messages; anything else is not an SMS message", () => {
    expect(messageIds({ orderId: "o", ids: ["x", "y"] })).toEqual(["x", "y"]);
    expect(messageIds({ notificationId: "x" })).toEqual(["x"]);
    expect(messageIds({ orderId: "o", ids: [] })).toBeNull();
    expect(messageIds({ orderId: "o", ids: ids("x", SESSION_SIZE + 1) })).toBeNull();
    expect(messageIds({ ids: ["x", 3] })).toBeNull();
    expect(messageIds({ notificationId: "x".repeat(65) })).toBeNull();
    expect(messageIds("x")).toBeNull();
    expect(messageIds(null)).toBeNull();
  });

  it("posts one gateway session per session message, the one-SMS messages together, each SMS once", () => {
    const units = [
      { message: 1, ids: ["a1", "a2", "a3"] },
      { message: 2, ids: ["b1"] },
      { message: 3, ids: ["c1"] },
      { message: 4, ids: ["a2", "a4"] }, // a2 named twice (a redelivery beside a new message)
    ];
    const claimed = new Set(["a1", "a2", "a3", "a4", "b1", "c1"]);
    expect(gatewaySessions(units, claimed)).toEqual([["a1", "a2", "a3"], ["a4"], ["b1", "c1"]]);
    expect(gatewaySessions(units, new Set(["a3"]))).toEqual([["a3"]]);
  });

  it("acknowledges a message once each of its SMS is done, else brings it back after the shortest wait", () => {
    const needs = new Map<string, SmsNeed>([
      ["a", "done"],
      ["b", 30],
      ["c", 5],
    ]);
    expect(settlement(["a"], needs, 10)).toEqual({ kind: "ack" });
    expect(settlement(["a", "b", "c"], needs, 10)).toEqual({ kind: "retry", delaySeconds: 5 });
    // An SMS whose outcome could not be stored.
    expect(settlement(["a", "z"], needs, 10)).toEqual({ kind: "retry", delaySeconds: 10 });
  });
});

describe("the SMS consumer's configuration", () => {
  it("wrangler.toml's max_batch_size for varsel-sms is the SMS_BATCH_SIZE the window is sized against", async () => {
    // @ts-expect-error: Vite's ?raw import (the file's text) has no type declaration here
    const toml = (await import("../../wrangler.toml?raw")).default as string;
    const consumer = /\[\[queues\.consumers\]\]\s*\nqueue = "varsel-sms"\n([\s\S]*?)(?:\n\[|$)/.exec(toml);
    expect(consumer?.[1]).toMatch(new RegExp(`^max_batch_size = ${SMS_BATCH_SIZE}$`, "m"));
  });
});
