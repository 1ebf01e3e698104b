import type { Env } from "./env";

/** The cron's work besides the events outbox sweep: due notification orders (notifications issue). */
export async function runScheduled(env: Env, now: Date, exec: ExecutionContext): Promise<void> {
  void env;
  void now;
  void exec;
}
