import { objectsConfigured } from "./events/log/mode";
import type { Env } from "./env";
import { runNotificationTick } from "./notifications/processing";
import { errorText } from "./lib/errors";
import { sweepSms } from "./sms/processing";
import { sweepOutbox } from "./events/dispatch";
import { pruneEvents } from "./events/retention";
import { backfillTick } from "./events/log/backfill";
import { retentionSettings } from "./retention/settings";
import { purgeOrders } from "./notifications/retention";
import { scrubReservedContacts } from "./notifications/reserved-scrub";

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
    await sweepSms(env, now);
  } catch (e) {
    console.error(JSON.stringify({ msg: "SMS sweep failed", error: errorText(e) }));
  }
  try {
    await scrubReservedContacts(env);
  } catch (e) {
    console.error(JSON.stringify({ msg: "reserved contact scrub failed; the next tick retries", error: errorText(e) }));
  }
  try {
    await purgeOrders(env, now);
  } catch (e) {
    console.error(JSON.stringify({ msg: "order retention failed; the next tick retries", error: errorText(e) }));
  }
}

/**
 * The cron's events work: the outbox sweep, then retention. Each piece catches its own errors, so a
 * failing one never stops the others, and the next tick tries again.
 */
export async function runEventsScheduled(env: Env, now: Date): Promise<void> {
  const pieces: [string, () => Promise<unknown>][] = [
    ["events outbox sweep", () => sweepOutbox(env, now)],
    ["events retention", () => pruneEvents(env, now, retentionSettings(env).eventsMs)],
    // The partitioned log's migration, and afterwards events still written to D1 (docs/event-log.md).
    ...(objectsConfigured(env)
      ? [["event log backfill", () => backfillTick(env)] as [string, () => Promise<unknown>]]
      : []),
  ];
  for (const [name, run] of pieces) {
    try {
      await run();
    } catch (e) {
      console.error(JSON.stringify({ msg: `${name} failed; the next tick retries`, error: errorText(e) }));
    }
  }
}
