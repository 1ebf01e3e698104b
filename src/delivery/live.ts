/**
 * The live view of one subscription's pushes (SPEC §8): a Server-Sent Events stream from the
 * subscription's Durable Object. Each attempt is written to every open stream as it completes;
 * nothing is stored, and a stream that cannot be written to (its reader went away) is dropped.
 * The Durable Object holds one `LiveFeed` and calls `open` from its fetch and `attempt` after
 * each attempt; the Worker's route checks the caller owns the subscription first.
 */
export interface LiveAttempt {
  eventId: string;
  attempt: number;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  /** What the attempt led to: delivered, retry, dead (dead-lettered) or gone (410, disabled). */
  outcome: string;
  time: string;
}

/** At most this many watchers per subscription; the oldest is closed when one more opens. */
export const MAX_WATCHERS = 10;
const encoder = new TextEncoder();

/** One SSE message. Pure. */
export function sseMessage(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class LiveFeed {
  private readonly writers: WritableStreamDefaultWriter<Uint8Array>[] = [];

  get watchers(): number {
    return this.writers.length;
  }

  open(): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    if (this.writers.length >= MAX_WATCHERS) this.drop(this.writers[0]!);
    this.writers.push(writer);
    this.write(writer, ": watching this subscription's pushes\n\n");
    return new Response(readable, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  }

  attempt(a: LiveAttempt): void {
    const message = sseMessage("attempt", a);
    for (const w of [...this.writers]) this.write(w, message);
  }

  private write(w: WritableStreamDefaultWriter<Uint8Array>, text: string): void {
    // Not awaited: a slow reader must not hold up deliveries. A failed write means it went away.
    w.write(encoder.encode(text)).catch(() => this.drop(w));
  }

  private drop(w: WritableStreamDefaultWriter<Uint8Array>): void {
    const i = this.writers.indexOf(w);
    if (i >= 0) this.writers.splice(i, 1);
    w.abort().catch(() => undefined);
  }
}
