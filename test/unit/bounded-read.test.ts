import { describe, expect, it } from "vitest";
import { readBounded } from "../../src/lib/bounded-read";

/** A body that never ends: each pull yields 1 KiB; counts how much was pulled. */
function endless(): { res: Response; pulled: () => number } {
  let pulls = 0;
  const chunk = new TextEncoder().encode("x".repeat(1024));
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++;
      controller.enqueue(chunk);
    },
  });
  return { res: new Response(body), pulled: () => pulls };
}

describe("readBounded", () => {
  it("reads an endless body only up to the bound", async () => {
    const { res, pulled } = endless();
    const { text, truncated } = await readBounded(res, 4096);
    expect(text).toBe("x".repeat(4096));
    expect(truncated).toBe(true);
    expect(pulled()).toBeLessThan(10);
  });

  it("keeps a short body whole, and an exact-size one is not truncated", async () => {
    expect(await readBounded(new Response('{"sendNotification":false}'), 4096)).toEqual({
      text: '{"sendNotification":false}',
      truncated: false,
    });
    expect(await readBounded(new Response("abcd"), 4)).toEqual({ text: "abcd", truncated: false });
    expect(await readBounded(new Response("abcde"), 4)).toEqual({ text: "abcd", truncated: true });
    expect(await readBounded(new Response(null, { status: 204 }), 4)).toEqual({ text: "", truncated: false });
  });

  it("never keeps half a character at the bound", async () => {
    const { text, truncated } = await readBounded(new Response("aæøå"), 4);
    expect(text).toBe("aæ");
    expect(truncated).toBe(true);
  });
});
