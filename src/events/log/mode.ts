/**
 * Which event log is configured (docs/event-log.md): the partitioned log (`objects`, the default)
 * unless `EVENT_LOG = "d1"`, the mode for a database whose backfill has not run yet (and the
 * backfill's source). The one place the default lives.
 */
import type { Env } from "../../env";

export const DEFAULT_EVENT_LOG = "objects";

/** True unless the D1 log is configured explicitly. */
export function objectsConfigured(env: Pick<Env, "EVENT_LOG">): boolean {
  return (env.EVENT_LOG ?? DEFAULT_EVENT_LOG) !== "d1";
}
