/**
 * Cloudflare Queues' limits (SPEC §7.1) as a pure rule: a `sendBatch` carries at most 100 messages
 * and 256 KB, a message at most 128 KB. Sizes are counted with a margin for per-message overhead.
 */
export const QUEUE_LIMITS = { maxMessages: 100, maxBatchBytes: 250_000, maxMessageBytes: 120_000, overheadBytes: 100 };

export type QueueLimits = typeof QUEUE_LIMITS;

/** UTF-8 size of a message body as JSON. */
export function jsonBytes(body: unknown): number {
  return new TextEncoder().encode(JSON.stringify(body)).byteLength;
}

/**
 * Splits sized items into consecutive pieces within the limits, order kept. An item larger than
 * `maxMessageBytes` on its own must be shrunk by the caller before it is sent (see dispatch.ts).
 */
export function splitBatches<T>(
  items: readonly { item: T; bytes: number }[],
  limits: QueueLimits = QUEUE_LIMITS,
): T[][] {
  const pieces: T[][] = [];
  let piece: T[] = [];
  let bytes = 0;
  for (const { item, bytes: size } of items) {
    const cost = size + limits.overheadBytes;
    if (piece.length && (piece.length >= limits.maxMessages || bytes + cost > limits.maxBatchBytes)) {
      pieces.push(piece);
      piece = [];
      bytes = 0;
    }
    piece.push(item);
    bytes += cost;
  }
  if (piece.length) pieces.push(piece);
  return pieces;
}
