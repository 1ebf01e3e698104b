import { parseRetryAfter, type AttemptResult } from "./schedule";
import { webhookHeaders } from "./sign";
import { readBounded } from "../lib/bounded-read";
import { checkDestination } from "../net/destination";

export const PUSH_TIMEOUT_MS = 30_000;
/** At most this much of an endpoint's answer is read and kept (SPEC §4.5). */
export const RESPONSE_KEPT_BYTES = 4096;

/** `PUSH_TIMEOUT_SECONDS` when it is a positive number, else 30 s. */
export function pushTimeoutMs(raw: string | undefined): number {
  const n = Number(raw);
  return raw !== undefined && Number.isFinite(n) && n > 0 ? n * 1000 : PUSH_TIMEOUT_MS;
}

/**
 * One signed POST of a CloudEvent to an endpoint: structured mode, redirects not followed,
 * 30 s to answer (unless configured otherwise). Never throws: network failures come back as an attempt without a status.
 * The endPoint is judged by the one destination rule as it is now (`insecure`: ALLOW_INSECURE_ENDPOINTS),
 * whatever rule it was stored under: a refused one is never called and comes back with `refused`.
 */
export async function postSigned(
  endPoint: string,
  secret: string,
  webhookId: string,
  body: string,
  now: () => Date,
  insecure: boolean,
  timeoutMs = PUSH_TIMEOUT_MS,
): Promise<AttemptResult> {
  const verdict = checkDestination(endPoint, insecure);
  if (!verdict.ok) {
    const refused = `The endPoint is not an allowed destination (${verdict.reason}); nothing was sent.`;
    return { statusCode: null, durationMs: 0, error: refused, retryAfterSeconds: null, responseSnippet: null, refused };
  }
  const started = Date.now();
  const headers = {
    "content-type": "application/cloudevents+json",
    "user-agent": "Varsel-Webhooks/1",
    ...(await webhookHeaders(secret, webhookId, Math.floor(now().getTime() / 1000), body)),
  };
  try {
    const res = await fetch(endPoint, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    let snippet: string | null = null;
    try {
      snippet = (await readBounded(res, RESPONSE_KEPT_BYTES)).text;
    } catch {
      snippet = null;
    }
    return {
      statusCode: res.status,
      durationMs: Date.now() - started,
      error: null,
      retryAfterSeconds: parseRetryAfter(res.headers.get("retry-after"), now()),
      responseSnippet: snippet,
    };
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
    const error = timedOut
      ? `No answer within ${timeoutMs / 1000} s.`
      : `Request failed: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`;
    return {
      statusCode: null,
      durationMs: Date.now() - started,
      error,
      retryAfterSeconds: null,
      responseSnippet: null,
    };
  }
}
