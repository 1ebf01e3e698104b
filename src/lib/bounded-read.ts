/**
 * Reads at most `maxBytes` of a response body, streamed (SPEC §7.3): never `res.text()` of a body a
 * remote party controls. The rest is cancelled unread. The text is the UTF-8 decoding of the bytes
 * kept (a character cut at the bound is dropped).
 */
export async function readBounded(res: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const { bytes, truncated } = await readBoundedBytes(res.body, maxBytes);
  // `stream: true` holds back an incomplete trailing character instead of emitting U+FFFD for it.
  const text = new TextDecoder().decode(bytes, { stream: truncated });
  return { text, truncated };
}

/** The bytes form: at most `maxBytes` of a stream (a request's or a response's body), the rest cancelled unread. */
export async function readBoundedBytes(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (!body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - size;
      if (value.byteLength > room) truncated = true;
      const kept = value.byteLength > room ? value.subarray(0, room) : value;
      chunks.push(kept);
      size += kept.byteLength;
    }
    if (!truncated && size >= maxBytes) {
      // Exactly at the bound: anything more means the body was longer.
      const next = await reader.read();
      truncated = !next.done && next.value.byteLength > 0;
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
  return { bytes, truncated };
}
