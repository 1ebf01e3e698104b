import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";

describe("events outbox", () => {
  it("re-sends an event that never reached the queue once it is a minute old, and only then", async () => {
    const old = new Date(Date.now() - 5 * 60_000).toISOString();
    const fresh = new Date().toISOString();
    const rows = [
      { id: "outbox-old", stored: old },
      { id: "outbox-fresh", stored: fresh },
    ];
    for (const r of rows) {
      const e = { id: r.id, type: "t", source: "https://example.com/outbox", specversion: "1.0", resource: "urn:altinn:resource:outbox", time: r.stored };
      await env.DB.prepare("INSERT INTO events (id, source, resource, type, time, cloudevent, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)").bind(e.id, e.source, e.resource, e.type, e.time, JSON.stringify(e), r.stored).run();
    }
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const state = async (id: string) => (await env.DB.prepare("SELECT dispatched_at FROM events WHERE id = ?").bind(id).first<{ dispatched_at: string | null }>())!.dispatched_at;
    expect(await state("outbox-old")).not.toBeNull();
    expect(await state("outbox-fresh")).toBeNull();
  });
});
