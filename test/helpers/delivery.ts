// Subscriptions whose handshake is marked done by hand, and small polls, for delivery tests in workerd.
import { env, runInDurableObject } from "cloudflare:test";
import { deliveryStub } from "../../src/delivery/stub";
import { PushStore } from "../../src/delivery/store";
import { putResource } from "./admin";
import { call, postJson } from "./http";
import { altinnToken, bearer } from "./tokens";

export const SUBS = "/events/api/v1/subscriptions";
/** Refused: every attempt fails. */
export const ENDPOINT = "http://127.0.0.1:9/hook";

export async function poll<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Marks the handshake as done, as if the endpoint had answered 2xx, once the first (failing) one is over. */
export async function markValidated(id: number, validatedSeq: number): Promise<void> {
  // Let the first handshake finish, so it cannot overwrite what we set; the next is 30 s away.
  await poll(
    () =>
      runInDurableObject(
        deliveryStub(env, id),
        (_i, state) => (new PushStore(state.storage.sql).state()?.validationAttempts ?? 0) >= 1,
      ),
    "first validation attempt",
  );
  await runInDurableObject(deliveryStub(env, id), (_i, state) => {
    const store = new PushStore(state.storage.sql);
    store.saveState({ ...store.state()!, validated: true, validatedSeq, validationDueAt: null });
  });
}

/** A subscription of org `org` to a fresh resource, its handshake marked as done. */
export async function validatedSubscription(
  validatedSeq: number,
  opts: { org?: string; endPoint?: string; resource?: string } = {},
): Promise<{ id: number; resource: string; headers: Record<string, string> }> {
  const org = opts.org ?? "ttd";
  const rid = opts.resource ?? `it-dlv-${crypto.randomUUID().slice(0, 8)}`;
  if (!opts.resource) await putResource(rid, org);
  const headers = bearer(await altinnToken({ org, scope: "altinn:events.subscribe altinn:events.publish" }));
  const res = await postJson(
    SUBS,
    { endPoint: opts.endPoint ?? ENDPOINT, resourceFilter: `urn:altinn:resource:${rid}` },
    headers,
  );
  const { id } = (await res.json()) as { id: number };
  await markValidated(id, validatedSeq);
  return { id, resource: `urn:altinn:resource:${rid}`, headers };
}

export interface DeliveryListing {
  eventId: string;
  status: string;
  attempts: {
    attempt: number;
    statusCode: number | null;
    error: string | null;
    response: string | null;
    time: string;
  }[];
  nextAttemptAt: string | null;
}

export async function deliveries(id: number, headers: Record<string, string>): Promise<DeliveryListing[]> {
  return ((await (await call(`${SUBS}/${id}/deliveries`, { headers })).json()) as { deliveries: DeliveryListing[] })
    .deliveries;
}

export const ev = (resource: string, id = crypto.randomUUID()) => ({
  id,
  type: "it.happened",
  source: "https://it.example/x",
  specversion: "1.0" as const,
  time: new Date().toISOString(),
  resource,
});

/** Stores an event in D1 as publish does, without sending it to the queue (as if the message was lost). */
export async function storeOnly(e: ReturnType<typeof ev>, outboxDueAt: number): Promise<number> {
  return (await env.DB.prepare(
    "INSERT INTO events (id, source, resource, type, time, cloudevent, stored_at, outbox_due_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?7) RETURNING seq",
  )
    .bind(e.id, e.source, e.resource, e.type, e.time, JSON.stringify(e), outboxDueAt)
    .first<{ seq: number }>())!.seq;
}
