// Pure rules behind issue 8: queue batches within Cloudflare's limits, the fair interleave of
// retries and first attempts, tenants taking turns in the matcher, and the bounded body read.
import { describe, expect, it } from "vitest";
import { interleaveBy } from "../../src/delivery/fair";
import { pickNext } from "../../src/delivery/schedule";
import { QUEUE_LIMITS, splitBatches } from "../../src/events/queue-batches";
import { readBounded } from "../../src/lib/bounded-read";

describe("splitBatches", () => {
  it("splits by count (100) and by bytes (256 KB), order kept, every item once", () => {
    const small = Array.from({ length: 250 }, (_, i) => ({ item: i, bytes: 100 }));
    expect(splitBatches(small).map((p) => p.length)).toEqual([100, 100, 50]);
    const fat = Array.from({ length: 100 }, (_, i) => ({ item: i, bytes: 5_000 }));
    const pieces = splitBatches(fat);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces)
      expect(p.length * (5_000 + QUEUE_LIMITS.overheadBytes)).toBeLessThanOrEqual(QUEUE_LIMITS.maxBatchBytes);
    expect(pieces.flat()).toEqual(fat.map((f) => f.item));
  });
});

describe("pickNext", () => {
  it("alternates first attempts and due retries, so neither starves the other", () => {
    const first = ["f1", "f2", "f3"];
    const retry = ["r1", "r2"];
    const order: string[] = [];
    let last: "first" | "retry" | null = null;
    while (first.length || retry.length) {
      const p: { push: string; kind: "first" | "retry" } = pickNext(first[0] ?? null, retry[0] ?? null, last)!;
      (p.kind === "first" ? first : retry).shift();
      order.push(p.push);
      last = p.kind;
    }
    expect(order).toEqual(["f1", "r1", "f2", "r2", "f3"]);
    expect(pickNext(null, null, "first")).toBeNull();
  });
});

describe("interleaveBy", () => {
  it("lets tenants take turns, each tenant's items in their own order", () => {
    const items = [...Array.from({ length: 5 }, (_, i) => `a${i}`), "b0", "c0", "c1"];
    expect(interleaveBy(items, (s) => s[0]!)).toEqual(["a0", "b0", "c0", "a1", "c1", "a2", "a3", "a4"]);
  });
});

describe("readBounded", () => {
  it("reads at most the bound of an endless body and says it was cut", async () => {
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulls++;
        c.enqueue(new TextEncoder().encode("x".repeat(1000)));
      },
    });
    const r = await readBounded(new Response(endless), 4096);
    expect(r).toEqual({ text: "x".repeat(4096), truncated: true });
    expect(pulls).toBeLessThan(10);
  });

  it("keeps a short body whole, and never splits a character at the bound", async () => {
    expect(await readBounded(new Response("short"), 4096)).toEqual({ text: "short", truncated: false });
    expect(await readBounded(new Response("x".repeat(4096)), 4096)).toEqual({
      text: "x".repeat(4096),
      truncated: false,
    });
    const cut = await readBounded(new Response("ab€€"), 5);
    expect(cut).toEqual({ text: "ab€", truncated: true });
    expect(await readBounded(new Response(null), 10)).toEqual({ text: "", truncated: false });
  });
});
