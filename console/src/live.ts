// Reads a Server-Sent Events stream with fetch, so the token travels in the Authorization header
// (EventSource cannot send one, and a token never goes into a URL).
import { isPlainPath } from "./paths";
import { getToken } from "./session";

export interface LivePush {
  eventId: string;
  attempt: number;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  outcome: string;
  time: string;
}

export function openLive(
  path: string,
  onPush: (p: LivePush) => void,
  onState: (s: "open" | "closed" | "error") => void,
): () => void {
  const abort = new AbortController();
  if (!isPlainPath(path)) {
    onState("error");
    return () => abort.abort();
  }
  (async () => {
    const res = await fetch(path, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${getToken() ?? ""}` },
      signal: abort.signal,
      cache: "no-store",
    });
    if (!res.ok || !res.body) return onState("error");
    onState("open");
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trim())
          .join("\n");
        if (data) {
          try {
            onPush(JSON.parse(data) as LivePush);
          } catch {}
        }
      }
    }
    onState("closed");
  })().catch(() => {
    if (!abort.signal.aborted) onState("error");
  });
  return () => abort.abort();
}
