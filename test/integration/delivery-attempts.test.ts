// SPEC §4.5: an attempt is recorded before its request is sent, so an attempt cut off by an eviction
// or a crash still counts toward the twelve; at most 4 KiB of an answer is read and kept.
import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { deliveryStub } from "../../src/delivery/stub";
import { CUT_OFF_ERROR } from "../../src/delivery/store";
import { PushStore } from "../../src/delivery/store";
import { deliveries, ev, poll, validatedSubscription } from "../helpers/delivery";

const realFetch = globalThis.fetch;
afterEach(() => vi.restoreAllMocks());

/** The endpoint's answers, by path: `hang` never answers; anything else is a Response. */
function endpoint(answer: () => Promise<Response> | "hang") {
  let calls = 0;
  vi.spyOn(globalThis, "fetch").mockImplementation((input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.includes("/endpoint-under-test")) return realFetch(input, init);
    calls++;
    const a = answer();
    return a === "hang" ? new Promise<Response>(() => undefined) : a;
  });
  return { calls: () => calls };
}

const attemptsHeld = (id: number) =>
  runInDurableObject(
    deliveryStub(env, id),
    (_i, s) => s.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM attempts").one().n,
  );

describe("push attempts", { timeout: 60_000 }, () => {
  it("an attempt cut off by an eviction mid-request is counted, and the twelfth ends the push", async () => {
    const sub = await validatedSubscription(0, { endPoint: "http://127.0.0.1:9/endpoint-under-test" });
    const rx = endpoint(() => "hang");
    const e = ev(sub.resource);
    await deliveryStub(env, sub.id).enqueue([{ seq: 9_000_001, event: e }]);
    for (let n = 1; n <= 12; n++) {
      await poll(async () => rx.calls() >= n, `request ${n} in flight`);
      // The object goes away while its request hangs: nothing after the request runs.
      await abortAllDurableObjects();
      expect(await attemptsHeld(sub.id)).toBe(rx.calls());
      // Time passes: the retry is due, and the alarm starts the next attempt.
      await runInDurableObject(deliveryStub(env, sub.id), async (_i, s) => {
        s.storage.sql.exec("UPDATE pushes SET due_at = 0 WHERE status = 'pending'");
        await s.storage.setAlarm(Date.now());
      });
    }
    const [d] = await poll(async () => {
      const list = await deliveries(sub.id, sub.headers);
      return list[0]?.status === "failed" ? list : null;
    }, "the push dead-lettered");
    expect(d!.attempts).toHaveLength(12);
    expect(d!.attempts.every((a) => a.statusCode === null && a.error === CUT_OFF_ERROR)).toBe(true);
    // Nothing is due any more: another alarm sends nothing.
    await runDurableObjectAlarm(deliveryStub(env, sub.id));
    expect(rx.calls()).toBe(12);
  });

  it("reads and keeps at most 4 KiB of an endpoint's answer, with each attempt", async () => {
    const sub = await validatedSubscription(0, { endPoint: "http://127.0.0.1:9/endpoint-under-test" });
    let pulls = 0;
    endpoint(async () => {
      const endless = new ReadableStream<Uint8Array>({
        pull(c) {
          pulls++;
          c.enqueue(new TextEncoder().encode("e".repeat(1024)));
        },
      });
      return new Response(endless, { status: 500 });
    });
    const e = ev(sub.resource);
    await deliveryStub(env, sub.id).enqueue([{ seq: 9_100_001, event: e }]);
    const [d] = await poll(async () => {
      const list = await deliveries(sub.id, sub.headers);
      return list[0]?.attempts[0]?.statusCode === 500 ? list : null;
    }, "the first attempt's answer");
    expect(d!.attempts[0]!.response).toBe("e".repeat(4096));
    expect(pulls).toBeLessThan(20);
  });

  it("a validation handshake cut off mid-request is counted before it is sent", async () => {
    const sub = await validatedSubscription(0, { endPoint: "http://127.0.0.1:9/endpoint-under-test" });
    const rx = endpoint(() => "hang");
    const attempts = () =>
      runInDurableObject(
        deliveryStub(env, sub.id),
        (_i, s) => new PushStore(s.storage.sql).state()!.validationAttempts,
      );
    const before = await attempts();
    // Back to unvalidated, the handshake due now; it hangs, and the object goes away mid-request.
    await runInDurableObject(deliveryStub(env, sub.id), async (_i, s) => {
      const store = new PushStore(s.storage.sql);
      store.saveState({ ...store.state()!, validated: false, validationDueAt: 0 });
      await s.storage.setAlarm(Date.now());
    });
    await poll(async () => rx.calls() >= 1, "the handshake in flight");
    await abortAllDurableObjects();
    expect(await attempts()).toBe(before + 1);
  });
});
