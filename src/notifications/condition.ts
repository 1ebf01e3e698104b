/** The send condition (SPEC §5.3): `GET conditionEndpoint` answers `{"sendNotification": bool}`. */
import { readBounded } from "../lib/bounded-read";
import { isAllowedDestination } from "../net/destination";

export type ConditionResult = "send" | "skip" | "inconclusive";
export const CONDITION_TIMEOUT_MS = 10_000;
/** An inconclusive check is retried this much later, once; after that the order is sent. */
export const CONDITION_RETRY_MS = 60_000;

/** Pure: what a response means. Only a 200 with a boolean `sendNotification` is conclusive. */
export function interpretCondition(status: number, body: string): ConditionResult {
  if (status !== 200) return "inconclusive";
  try {
    const v = (JSON.parse(body) as { sendNotification?: unknown } | null)?.sendNotification;
    return v === true ? "send" : v === false ? "skip" : "inconclusive";
  } catch {
    return "inconclusive";
  }
}

/** The answer is a small JSON object; more than this is not read (and is not a valid answer). */
export const CONDITION_MAX_BYTES = 4 * 1024;

/**
 * Calls the condition endpoint, if the destination rule (SPEC §7.3) still allows it: an order stored
 * before a rule change is never sent to a private address. A refused destination is inconclusive.
 */
export async function checkCondition(url: string, insecure: boolean): Promise<ConditionResult> {
  if (!isAllowedDestination(url, insecure)) return "inconclusive";
  try {
    const res = await fetch(url, {
      method: "GET",
      headers: { accept: "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(CONDITION_TIMEOUT_MS),
    });
    const { text, truncated } = await readBounded(res, CONDITION_MAX_BYTES);
    return truncated ? "inconclusive" : interpretCondition(res.status, text);
  } catch {
    return "inconclusive";
  }
}

/** What to do with an order given the check's result and how many inconclusive checks came before. */
export function conditionAction(result: ConditionResult, earlierInconclusive: number): "send" | "skip" | "retry" {
  if (result === "inconclusive") return earlierInconclusive >= 1 ? "send" : "retry";
  return result;
}
