import type { Env } from "./env";
import { runNotificationTick } from "./notifications/processing";

/** The cron's work besides the events outbox sweep: due notification orders and the e-mail outbox. */
export async function runScheduled(env: Env, now: Date, exec: ExecutionContext): Promise<void> {
  void exec;
  await runNotificationTick(env, now);
}
