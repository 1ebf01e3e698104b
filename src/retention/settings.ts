import type { Env } from "../env";
import { parseDuration } from "../lib/duration";

/** How long each kind of history is kept (SPEC §7.2), in milliseconds. */
export interface RetentionSettings {
  /** Events, counted from their publish time. */
  eventsMs: number;
  /** Delivered and dead-lettered pushes with their attempts, counted from their final state. */
  deliveriesMs: number;
  /** Orders, shipments, notifications and the status feed, counted from their final state. */
  ordersMs: number;
}

const DAY_MS = 86_400_000;

export function retentionSettings(
  env: Pick<Env, "RETENTION_EVENTS" | "RETENTION_DELIVERIES" | "RETENTION_ORDERS">,
): RetentionSettings {
  return {
    eventsMs: parseDuration(env.RETENTION_EVENTS, 90 * DAY_MS),
    deliveriesMs: parseDuration(env.RETENTION_DELIVERIES, 30 * DAY_MS),
    ordersMs: parseDuration(env.RETENTION_ORDERS, 90 * DAY_MS),
  };
}
