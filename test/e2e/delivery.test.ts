// Push delivery against the real `npm start` (wrangler dev): real Queues and Durable Objects, real
// HTTP receivers on loopback, signatures verified with the public `standardwebhooks` package.
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVarsel, token, waitFor, type Varsel } from "./harness";
import { startReceiver, varselClient, type Receiver } from "./receiver";

let varsel: Varsel;
let api: ReturnType<typeof varselClient>;
let admin: string;
let publisher: string;
let subscriber: string;
const receivers: Receiver[] = [];

beforeAll(async () => {
  // 7 attempts a second or two apart; validation retried after 1 s; 2 s to answer instead of 30 s.
  varsel = await startVarsel({
    PUSH_RETRY_SCHEDULE: "1,1,1,2,2,3",
    VALIDATION_RETRY_SCHEDULE: "1,1",
    PUSH_TIMEOUT_SECONDS: "2",
  });
  api = varselClient(varsel.base);
  admin = await token({ org: "digdir", scope: "varsel:admin" });
  publisher = await token({ org: "ttd", scope: "altinn:events.publish altinn:events.subscribe" });
  subscriber = await token({ org: "digdir", scope: "altinn:events.subscribe" });
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  await varsel?.stop();
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

/** A resource of its own per test (owner ttd, digdir may subscribe), so tests do not see each other's events. */
async function freshResource(): Promise<string> {
  const id = `e2e-${crypto.randomUUID().slice(0, 8)}`;
  await api.putResource(admin, id, "ttd", [{ subject: "/org/digdir", actions: ["subscribe", "read"] }]);
  return `urn:altinn:resource:${id}`;
}

async function validatedSubscription(
  tok: string,
  endPoint: string,
  resourceFilter: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: number; secret: string }> {
  const created = await api.subscribe(tok, { endPoint, resourceFilter, ...extra });
  expect(created.status).toBe(201);
  const id = created.body.id as number;
  await waitFor(
    async () => (await api.get(tok, `/events/api/v1/subscriptions/${id}`)).body.validated === true,
    30_000,
    `subscription ${id} validated`,
  );
  return { id, secret: created.body.secret };
}

function event(resource: string, n: number, extra: Record<string, unknown> = {}) {
  return {
    id: crypto.randomUUID(),
    type: "e2e.happened",
    source: `https://e2e.example/items/${n}`,
    resource,
    ...extra,
  };
}

const deliveries = (tok: string, id: number, query = "") =>
  api.get(tok, `/events/api/v1/subscriptions/${id}/deliveries${query}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("push delivery against wrangler dev", () => {
  it("validates the endpoint first, never pushes what came before, and signs pushes the Standard Webhooks way", async () => {
    const resource = await freshResource();
    let validationAnswers = 0;
    const rx = await receiver({
      answer: (r) =>
        r.json.type === "platform.events.validatesubscription" && validationAnswers++ === 0
          ? { status: 500 }
          : { status: 200 },
    });
    const created = await api.subscribe(subscriber, { endPoint: rx.url, resourceFilter: resource });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      endPoint: rx.url,
      resourceFilter: resource,
      consumer: "/org/digdir",
      createdBy: "/org/digdir",
      validated: false,
    });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.location).toBe(`${varsel.base}/events/api/v1/subscriptions/${created.body.id}`);

    // The first handshake fails; an event published now must never reach the endpoint.
    await waitFor(() => rx.validations().length >= 1, 30_000, "first validation attempt");
    const before = event(resource, 0);
    await api.publish(publisher, before);
    await waitFor(
      async () =>
        (await api.get(subscriber, `/events/api/v1/subscriptions/${created.body.id}`)).body.validated === true,
      30_000,
      "validated",
    );
    const v = rx.validations()[0]!.json;
    expect(v).toMatchObject({
      type: "platform.events.validatesubscription",
      specversion: "1.0",
      source: created.location,
    });
    expect(v.id).toMatch(/^[0-9a-f-]{36}$/);

    const after = event(resource, 1, { subject: "/party/1", data: { text: "blåbær", n: 1 } });
    await api.publish(publisher, after);
    await waitFor(() => rx.pushes().length >= 1, 30_000, "the push");
    const push = rx.pushes()[0]!;
    expect(push.json.id).toBe(after.id);
    expect(push.json).toMatchObject({ ...after, specversion: "1.0" });
    expect(push.headers["content-type"]).toBe("application/cloudevents+json");
    const verified = new Webhook(created.body.secret).verify(push.body, push.headers as Record<string, string>);
    expect(verified).toMatchObject({ id: after.id });
    expect(() =>
      new Webhook(created.body.secret).verify(
        push.body.replace("blåbær", "bringebær"),
        push.headers as Record<string, string>,
      ),
    ).toThrow();
    expect(rx.pushes().map((p) => p.json.id)).not.toContain(before.id);
  });

  it("retries the handshake on its schedule, then disables a subscription whose endpoint never accepts it", async () => {
    const resource = await freshResource();
    const rx = await receiver({ answer: () => ({ status: 500 }) });
    const created = await api.subscribe(subscriber, { endPoint: rx.url, resourceFilter: resource });
    const path = `/events/api/v1/subscriptions/${created.body.id}`;
    await waitFor(
      async () => (await api.get(subscriber, path)).body.disabled === true,
      30_000,
      "disabled after the last handshake",
    );
    const sub = (await api.get(subscriber, path)).body;
    expect(sub).toMatchObject({ validated: false, disabled: true });
    expect(sub.disabledReason).toContain("HTTP 500");
    expect(rx.validations()).toHaveLength(3); // VALIDATION_RETRY_SCHEDULE "1,1": 1 + 2 retries
    expect(rx.pushes()).toHaveLength(0);
  });

  it("delivers 100 events published quickly with 100 distinct webhook-ids, first attempts in publish order", async () => {
    const resource = await freshResource();
    const rx = await receiver();
    await validatedSubscription(subscriber, rx.url, resource);
    const published: string[] = [];
    for (let i = 0; i < 100; i++) {
      const e = event(resource, i);
      published.push(e.id);
      await api.publish(publisher, e);
    }
    await waitFor(() => new Set(rx.pushes().map((p) => p.json.id)).size >= 100, 90_000, "100 pushes");
    const pushes = rx.pushes();
    expect(new Set(pushes.map((p) => p.headers["webhook-id"])).size).toBe(100);
    const firstSeen: string[] = [];
    for (const p of pushes) if (!firstSeen.includes(p.json.id!)) firstSeen.push(p.json.id!);
    expect(firstSeen).toEqual(published);
  });

  it("a receiver that is down and comes back gets every event", async () => {
    const resource = await freshResource();
    const rx = await receiver();
    const { id } = await validatedSubscription(subscriber, rx.url, resource);
    const port = rx.port;
    await rx.close();
    const published: string[] = [];
    for (let i = 0; i < 5; i++) {
      const e = event(resource, i);
      published.push(e.id);
      await api.publish(publisher, e);
    }
    // Every push has failed at least once while the receiver was down.
    await waitFor(
      async () => {
        const d = (await deliveries(subscriber, id)).body.deliveries as { attempts: { error: string | null }[] }[];
        // An attempt is listed from before its request is sent (SPEC §4.5): wait for its failure.
        return (
          d.length === 5 && d.every((x) => x.attempts.some((a) => a.error && !a.error.startsWith("No answer recorded")))
        );
      },
      30_000,
      "failed first attempts",
    );
    const back = await receiver({ port });
    await waitFor(
      () => new Set(back.pushes().map((p) => p.json.id)).size >= 5,
      60_000,
      "all five after the receiver came back",
    );
    expect(new Set(back.pushes().map((p) => p.json.id))).toEqual(new Set(published));
    const d = (await deliveries(subscriber, id)).body;
    expect(d.deliveries.map((x: { status: string }) => x.status)).toEqual([
      "delivered",
      "delivered",
      "delivered",
      "delivered",
      "delivered",
    ]);
    expect(d.deliveries[0].attempts[0]).toMatchObject({ attempt: 1, statusCode: null });
    expect(d.deliveries[0].attempts[0].error).toBeTruthy();
  });

  it("honours Retry-After on 429 and treats 3xx as a failure", async () => {
    const resource = await freshResource();
    let n = 0;
    const rx = await receiver({
      answer: (r) =>
        r.json.type === "platform.events.validatesubscription"
          ? { status: 200 }
          : ++n === 1
            ? { status: 429, headers: { "retry-after": "4" } }
            : n === 2
              ? { status: 302, headers: { location: "http://127.0.0.1:1/" } }
              : { status: 204 },
    });
    const { id } = await validatedSubscription(subscriber, rx.url, resource);
    const e = event(resource, 1);
    await api.publish(publisher, e);
    // The snapshot that first shows an answered attempt (an attempt is listed from before its request
    // is sent, SPEC §4.5; read again later, a slow machine may have moved on).
    const pending = await waitFor(
      async () => {
        const d = (await deliveries(subscriber, id)).body.deliveries[0];
        return d?.attempts.length >= 1 && d.attempts[0].statusCode !== null ? d : null;
      },
      30_000,
      "first attempt",
    );
    expect(pending).toMatchObject({ eventId: e.id, status: "pending", attempts: [{ attempt: 1, statusCode: 429 }] });
    // The schedule says 1 s; the endpoint asked for 4 s.
    expect(Date.parse(pending.nextAttemptAt) - Date.parse(pending.attempts[0].time)).toBeGreaterThanOrEqual(3_900);
    await waitFor(
      async () => (await deliveries(subscriber, id)).body.deliveries[0]?.status === "delivered",
      30_000,
      "delivered",
    );
    const done = (await deliveries(subscriber, id)).body.deliveries[0];
    expect(done.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([429, 302, 204]);
    expect(rx.pushes().every((p) => p.json.id === e.id)).toBe(true);
    expect(new Set(rx.pushes().map((p) => p.headers["webhook-id"])).size).toBe(1);
  });

  it("gives up on an endpoint that does not answer in time and tries again", async () => {
    const resource = await freshResource();
    let n = 0;
    const rx = await receiver({
      answer: (r) =>
        r.json.type === "platform.events.validatesubscription" ? { status: 200 } : ++n === 1 ? "hang" : { status: 200 },
    });
    const { id } = await validatedSubscription(subscriber, rx.url, resource);
    const e = event(resource, 1);
    await api.publish(publisher, e);
    await waitFor(
      async () => (await deliveries(subscriber, id)).body.deliveries[0]?.status === "delivered",
      30_000,
      "delivered on the second attempt",
    );
    const d = (await deliveries(subscriber, id)).body.deliveries[0];
    expect(d.attempts).toHaveLength(2);
    expect(d.attempts[0]).toMatchObject({ attempt: 1, statusCode: null, error: "No answer within 2 s." });
    expect(d.attempts[1]).toMatchObject({ attempt: 2, statusCode: 200, error: null });
  });

  it("dead-letters after the last attempt, then redeliver and recover queue pushes again", async () => {
    const resource = await freshResource();
    let up = false;
    const rx = await receiver({
      answer: (r) => (r.json.type === "platform.events.validatesubscription" || up ? { status: 200 } : { status: 500 }),
    });
    const { id } = await validatedSubscription(subscriber, rx.url, resource);
    const [a, b] = [event(resource, 1), event(resource, 2)];
    await api.publish(publisher, a);
    await api.publish(publisher, b);
    await waitFor(
      async () => {
        const d = (await deliveries(subscriber, id, "?status=failed")).body;
        return d.count === 2;
      },
      60_000,
      "two dead letters",
    );
    const failed = (await deliveries(subscriber, id, "?status=failed")).body.deliveries;
    expect(failed.map((d: { eventId: string }) => d.eventId)).toEqual([b.id, a.id]); // newest first
    expect(failed[0].attempts).toHaveLength(7);
    expect(failed[0]).toMatchObject({ status: "failed", nextAttemptAt: null, lastResponse: { statusCode: 500 } });
    expect(failed[0].reason).toContain("HTTP 500");
    expect(rx.pushes().filter((p) => p.json.id === a.id)).toHaveLength(7);

    // Paging: one at a time, newest first, with an absolute next link.
    const page1 = await deliveries(subscriber, id, "?size=1");
    expect(page1.body.deliveries.map((d: { eventId: string }) => d.eventId)).toEqual([b.id]);
    const next = page1.headers.get("next")!;
    expect(next.startsWith(varsel.base)).toBe(true);
    const page2 = await api.get(subscriber, next.slice(varsel.base.length));
    expect(page2.body.deliveries.map((d: { eventId: string }) => d.eventId)).toEqual([a.id]);

    up = true;
    expect(
      (await api.send(subscriber, "POST", `/events/api/v1/subscriptions/${id}/deliveries/${a.id}/redeliver`)).status,
    ).toBe(202);
    await waitFor(
      async () => (await deliveries(subscriber, id, "?status=delivered")).body.count === 1,
      30_000,
      "redelivered",
    );
    expect(
      (
        await api.send(
          subscriber,
          "POST",
          `/events/api/v1/subscriptions/${id}/deliveries/${crypto.randomUUID()}/redeliver`,
        )
      ).status,
    ).toBe(404);

    const recovered = await api.send(
      subscriber,
      "POST",
      `/events/api/v1/subscriptions/${id}/recover?since=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}`,
    );
    expect(recovered).toEqual({ status: 202, body: { queued: 1 } });
    await waitFor(
      async () => (await deliveries(subscriber, id, "?status=delivered")).body.count === 2,
      30_000,
      "recovered",
    );
    const last = rx
      .pushes()
      .filter((p) => p.json.id === b.id)
      .at(-1)!;
    expect(last.headers["webhook-id"]).toBe(rx.pushes().find((p) => p.json.id === b.id)!.headers["webhook-id"]);
  });

  it("a 410 disables the subscription and nothing more is pushed", async () => {
    const resource = await freshResource();
    const rx = await receiver({
      answer: (r) => (r.json.type === "platform.events.validatesubscription" ? { status: 200 } : { status: 410 }),
    });
    const control = await receiver();
    const { id } = await validatedSubscription(subscriber, rx.url, resource);
    await validatedSubscription(publisher, control.url, resource);
    await api.publish(publisher, event(resource, 1));
    await waitFor(
      async () => (await api.get(subscriber, `/events/api/v1/subscriptions/${id}`)).body.disabled === true,
      30_000,
      "disabled",
    );
    const sub = (await api.get(subscriber, `/events/api/v1/subscriptions/${id}`)).body;
    expect(sub.disabledReason).toContain("410");
    const later = event(resource, 2);
    await api.publish(publisher, later);
    await waitFor(
      () => control.pushes().some((p) => p.json.id === later.id),
      30_000,
      "control received the later event",
    );
    await sleep(1500);
    expect(rx.pushes()).toHaveLength(1);
  });

  it("after a delete no push starts, and removing the subscribe grant stops pushes at once", async () => {
    const resource = await freshResource();
    const gone = await receiver();
    const revoked = await receiver();
    const control = await receiver();
    const deleted = await validatedSubscription(subscriber, gone.url, resource, { typeFilter: "e2e.happened" });
    const granted = await validatedSubscription(subscriber, revoked.url, resource, {
      sourceFilter: "https://e2e.example/%",
    });
    await validatedSubscription(publisher, control.url, resource);

    expect((await api.send(subscriber, "DELETE", `/events/api/v1/subscriptions/${deleted.id}`)).status).toBe(200);
    expect((await api.get(subscriber, `/events/api/v1/subscriptions/${deleted.id}`)).status).toBe(404);
    await api.putResource(admin, resource.slice("urn:altinn:resource:".length), "ttd", []);
    const e = event(resource, 1);
    await api.publish(publisher, e);
    await waitFor(() => control.pushes().some((p) => p.json.id === e.id), 30_000, "control received the event");
    await waitFor(
      async () => (await deliveries(subscriber, granted.id, "?status=failed")).body.count === 1,
      30_000,
      "the revoked push dead-lettered",
    );
    const d = (await deliveries(subscriber, granted.id)).body.deliveries[0];
    expect(d).toMatchObject({ eventId: e.id, status: "failed", attempts: [] });
    expect(d.reason).toContain("subscribe right");
    await sleep(1000);
    expect(gone.pushes()).toHaveLength(0);
    expect(revoked.pushes()).toHaveLength(0);
  });

  it("npm start's demo receiver gets the demo resource's events, signature checked", async () => {
    const e = event("urn:altinn:resource:ttd-demo-events", 1);
    await api.publish(publisher, e);
    await waitFor(
      () => varsel.output().includes(`demo receiver: e2e.happened ${e.id} (signature ok)`),
      30_000,
      "the demo receiver's log line",
    );
  });

  it("one consumer never sees another's subscriptions", async () => {
    const resource = await freshResource();
    const rx = await receiver();
    const mine = await api.subscribe(publisher, { endPoint: rx.url, resourceFilter: resource });
    const theirs = await api.subscribe(subscriber, { endPoint: rx.url, resourceFilter: resource });
    const myList = (await api.get(publisher, "/events/api/v1/subscriptions")).body;
    expect(myList.count).toBe(myList.subscriptions.length);
    expect(myList.subscriptions.every((s: { consumer: string }) => s.consumer === "/org/ttd")).toBe(true);
    expect(myList.subscriptions.map((s: { id: number }) => s.id)).toContain(mine.body.id);
    expect(myList.subscriptions.map((s: { id: number }) => s.id)).not.toContain(theirs.body.id);
    expect(myList.subscriptions.some((s: Record<string, unknown>) => "secret" in s)).toBe(false);
    expect((await api.get(publisher, `/events/api/v1/subscriptions/${theirs.body.id}`)).status).toBe(404);
    expect((await api.get(publisher, `/events/api/v1/subscriptions/${theirs.body.id}/deliveries`)).status).toBe(404);
    expect((await api.send(publisher, "DELETE", `/events/api/v1/subscriptions/${theirs.body.id}`)).status).toBe(404);
  });
});
