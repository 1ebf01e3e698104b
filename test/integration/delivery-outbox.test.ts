// A subscription's object that cannot take its events for a long time: the matcher keeps retrying
// through the queue, and before the queue would give the message up, it puts the event back into
// the events outbox, which the cron sends again. Nothing is lost to a long outage.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { handleEventsBatch, RETURN_TO_OUTBOX_AFTER } from "../../src/delivery/matcher";
import type { Env } from "../../src/env";
import { putResource } from "../helpers/admin";
import { postJson } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

// The objects are unreachable: every hand-over fails (the failure we cannot cause in a healthy workerd).
const unreachable = {
  ...env,
  SUBSCRIPTION_DO: {
    idFromName: (name: string) => env.SUBSCRIPTION_DO.idFromName(name),
    get: () => ({ enqueue: async () => Promise.reject(new Error("object unavailable")) }),
  },
} as unknown as Env;

describe("a hand-over that keeps failing", () => {
  it("is retried by the queue, then returned to the outbox instead of being dropped", async () => {
    const rid = `it-outbox-${crypto.randomUUID().slice(0, 8)}`;
    await putResource(rid, "ttd");
    const headers = bearer(await altinnToken({ org: "ttd", scope: "altinn:events.subscribe" }));
    const sub = await postJson("/events/api/v1/subscriptions", { endPoint: "http://127.0.0.1:9/hook", resourceFilter: `urn:altinn:resource:${rid}` }, headers);
    expect(sub.status).toBe(201);
    const event = { id: crypto.randomUUID(), type: "t", source: "https://example.com/o", specversion: "1.0" as const, time: new Date().toISOString(), resource: `urn:altinn:resource:${rid}` };
    const { seq } = (await env.DB.prepare("INSERT INTO events (id, source, resource, type, time, cloudevent, stored_at, dispatched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?5) RETURNING seq")
      .bind(event.id, event.source, event.resource, event.type, event.time, JSON.stringify(event))
      .first<{ seq: number }>())!;
    const dispatched = async () => (await env.DB.prepare("SELECT dispatched_at FROM events WHERE seq = ?").bind(seq).first<{ dispatched_at: string | null }>())!.dispatched_at;

    const deliver = async (attempts: number) => {
      const batch = createMessageBatch("varsel-events", [{ id: `m-${attempts}`, timestamp: new Date(), attempts, body: { seq, event } }]);
      await handleEventsBatch(batch, unreachable);
      return getQueueResult(batch, createExecutionContext());
    };

    const early = await deliver(1);
    expect(early.retryMessages).toHaveLength(1);
    expect(await dispatched()).not.toBeNull();

    const late = await deliver(RETURN_TO_OUTBOX_AFTER);
    expect(late.retryMessages).toEqual([]);
    expect(late.explicitAcks).toHaveLength(1);
    expect(await dispatched()).toBeNull();
  });
});
