// GET /subscriptions/{id}/live: the subscription's Durable Object streams each push attempt as a
// Server-Sent Event while it happens; only the owner may watch.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sseMessage } from "../../src/delivery/live";
import { PushStore } from "../../src/delivery/store";
import { deliveryStub } from "../../src/delivery/stub";
import { putResource } from "../helpers/admin";
import { call, postJson, problem } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

const SUBS = "/events/api/v1/subscriptions";

async function poll<T>(probe: () => Promise<T | undefined | null | false>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function subscription(): Promise<{ id: number; resource: string; headers: Record<string, string> }> {
  const rid = `it-live-${crypto.randomUUID().slice(0, 8)}`;
  await putResource(rid, "ttd");
  const headers = bearer(await altinnToken({ org: "ttd", scope: "altinn:events.subscribe" }));
  const res = await postJson(
    SUBS,
    { endPoint: "http://127.0.0.1:9/hook", resourceFilter: `urn:altinn:resource:${rid}` },
    headers,
  );
  const { id } = (await res.json()) as { id: number };
  // The handshake to a refused port fails; mark it done by hand once the first attempt is over.
  await poll(
    () =>
      runInDurableObject(
        deliveryStub(env, id),
        (_i, s) => (new PushStore(s.storage.sql).state()?.validationAttempts ?? 0) >= 1,
      ),
    "first validation",
  );
  await runInDurableObject(deliveryStub(env, id), (_i, s) => {
    const store = new PushStore(s.storage.sql);
    store.saveState({ ...store.state()!, validated: true, validatedSeq: 0, validationDueAt: null });
  });
  return { id, resource: `urn:altinn:resource:${rid}`, headers };
}

describe("live view of pushes", { timeout: 30_000 }, () => {
  it("streams each attempt to the owner as it happens", async () => {
    const { id, resource, headers } = await subscription();
    const res = await call(`${SUBS}/${id}/live`, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const event = {
      id: crypto.randomUUID(),
      type: "it.live",
      source: "https://it.example/x",
      specversion: "1.0" as const,
      time: new Date().toISOString(),
      resource,
    };
    await deliveryStub(env, id).enqueue([{ seq: 2_000_001, event }]);
    let text = "";
    while (!text.includes("event: attempt")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    await reader.cancel();
    const data = JSON.parse(text.split("event: attempt\ndata: ")[1]!.split("\n")[0]!);
    expect(data).toMatchObject({ eventId: event.id, attempt: 1, statusCode: null, outcome: "retry" });
    expect(data.error).toBeTruthy();
  });

  it("answers another consumer and an unknown id alike: 404", async () => {
    const { id } = await subscription();
    const other = bearer(await altinnToken({ org: "digdir", scope: "altinn:events.subscribe" }));
    const theirs = await call(`${SUBS}/${id}/live`, { headers: other });
    const unknown = await call(`${SUBS}/999999999/live`, { headers: other });
    expect(theirs.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect((await problem(theirs)).detail).toBe(`Subscription ${id} was not found.`);
    expect((await call(`${SUBS}/${id}/live`)).status).toBe(401);
  });

  it("writes one SSE message per attempt, JSON on a single data line", () => {
    expect(sseMessage("attempt", { a: "x\ny" })).toBe('event: attempt\ndata: {"a":"x\\ny"}\n\n');
  });
});
