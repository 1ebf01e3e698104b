import type { Env } from "./env";
import { runNotificationTick } from "./notifications/processing";
import { errorText } from "./lib/errors";
import { purgeOrders } from "./notifications/retention";

/** The cron's work besides the events outbox sweep: due notification orders and the e-mail outbox. */
export async function runScheduled(env: Env, now: Date, exec: ExecutionContext): Promise<void> {
  void exec;
  try {
    await runNotificationTick(env, now);
  } catch (e) {
    // Logged, not thrown, so the events outbox sweep after it still runs; the next tick retries.
    console.error(JSON.stringify({ msg: "notification tick failed", error: errorText(e) }));
  }
  try {
    await purgeOrders(env, now);
  } catch (e) {
    console.error(JSON.stringify({ msg: "order retention failed; the next tick retries", error: errorText(e) }));
  }
}
