// SPEC §7.3 at send time: a subscription stored under ALLOW_INSECURE_ENDPOINTS=true (or an older rule)
// never reaches a private endPoint once the rule refuses it; the subscription is disabled with the reason.
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PushStore } from "../../src/delivery/store";
import { deliveryStub } from "../../src/delivery/stub";
import { call } from "../helpers/http";
import { ev, poll, SUBS, validatedSubscription } from "../helpers/delivery";

const realFetch = globalThis.fetch;
/** Objects switched to production's setting; their env (shared with the isolate's) is switched back after each test. */
const switched: number[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const id of switched.splice(0)) await setInsecure(id, "true");
});

const setInsecure = (id: number, value: string) =>
  runInDurableObject(deliveryStub(env, id), (instance) => {
    (instance as unknown as { env: Record<string, unknown> }).env.ALLOW_INSECURE_ENDPOINTS = value;
  });

/** Counts requests to the private endPoint (none may be sent). */
function privateEndpoint() {
  let calls = 0;
  vi.spyOn(globalThis, "fetch").mockImplementation((input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.includes("/private-under-test")) {
      calls++;
      return Promise.resolve(new Response("ok"));
    }
    return realFetch(input, init);
  });
  return { calls: () => calls };
}

/** The object now runs with production's setting (as after a deploy that turned the flag off). */
const production = (id: number) => {
  switched.push(id);
  return setInsecure(id, "false");
};

const subscription = async (id: number, headers: Record<string, string>) =>
  (await call(`${SUBS}/${id}`, { headers })).json<{ disabled?: boolean; disabledReason?: string }>();

describe("the destination rule at send time", { timeout: 60_000 }, () => {
  it("a push to a stored loopback endPoint is never sent and disables the subscription with the reason", async () => {
    const rx = privateEndpoint();
    const sub = await validatedSubscription(0, { endPoint: "http://127.0.0.1:9/private-under-test" });
    await production(sub.id);
    const before = rx.calls();
    await deliveryStub(env, sub.id).enqueue([{ seq: 9_300_001, event: ev(sub.resource) }]);
    const s = await poll(async () => {
      const v = await subscription(sub.id, sub.headers);
      return v.disabled ? v : null;
    }, "the subscription disabled");
    expect(s.disabledReason).toContain("endPoint");
    expect(rx.calls()).toBe(before);
  });

  it("the validation handshake to a stored link-local endPoint is never sent either", async () => {
    const rx = privateEndpoint();
    const sub = await validatedSubscription(0, { endPoint: "http://169.254.169.254:8080/private-under-test" });
    await production(sub.id);
    const before = rx.calls();
    // Back to unvalidated, the handshake due now.
    await runInDurableObject(deliveryStub(env, sub.id), async (_i, state) => {
      const store = new PushStore(state.storage.sql);
      store.saveState({ ...store.state()!, validated: false, validationDueAt: 0 });
      await state.storage.setAlarm(Date.now());
    });
    const s = await poll(async () => {
      const v = await subscription(sub.id, sub.headers);
      return v.disabled ? v : null;
    }, "the subscription disabled");
    expect(s.disabledReason).toContain("endPoint");
    expect(rx.calls()).toBe(before);
  });
});
