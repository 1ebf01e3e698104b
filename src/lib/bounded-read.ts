/**
 * Reads at most `maxBytes` of a response body, streamed: never `res.text()` of an unbounded body
 * (SPEC §4.5, §7.3). The rest of the body is cancelled, not read. Invalid UTF-8 becomes U+FFFD, and a
 * character cut at the bound is dropped rather than half kept.
 */
export async function readBounded(res: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: "", truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - size;
      if (value.byteLength > room) {
        chunks.push(value.subarray(0, room));
        size += room;
        truncated = true;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
    if (!truncated && size >= maxBytes) {
      // Exactly at the bound: one more read tells whether anything follows.
      const { done, value } = await reader.read();
      truncated = !done && (value?.byteLength ?? 0) > 0;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  const text = new TextDecoder().decode(truncated ? trimPartialChar(bytes) : bytes);
  return { text, truncated };
}

/** Drops an incomplete UTF-8 sequence at the end (a character the bound cut in two). */
function trimPartialChar(bytes: Uint8Array): Uint8Array {
  let i = bytes.length - 1;
  let continuation = 0;
  while (i >= 0 && (bytes[i]! & 0xc0) === 0x80 && continuation < 3) {
    i--;
    continuation++;
  }
  if (i < 0) return bytes;
  const lead = bytes[i]!;
  const need = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return need > continuation ? bytes.subarray(0, i) : bytes;
}
