/**
 * Tenant lanes of the events queue (SPEC §7.4, issue 7 point 7). Each event belongs to the lane of
 * the org that owns its resource; at most EVENTS_LANE_WINDOW events of a lane are in the queue at a
 * time, so another lane's new event is never behind more than one window of it (one matcher batch
 * holds 50 messages). The rest wait in the outbox, held, and go out oldest first as the matcher
 * confirms the lane's events (src/events/outbox.ts). Pure: no I/O.
 */
import { appOfResourceId, notificationsOrgOfResourceId, resourceIdOf } from "../resources/policy";

/**
 * Events of one lane in the queue and not yet confirmed by the matcher. Below the queue's batch size
 * (50, wrangler.toml) so a batch always has room for other lanes' events after one lane's window.
 */
export const EVENTS_LANE_WINDOW = 25;

/**
 * The lane of an event on `resourceUrn`: the org of an app resource (`app_{org}_{app}`) or of an org's
 * order status events (`notifications_{org}`), else the owner of the registered resource (`owner`, as
 * the publish route loaded it), else the resource URN; `publisher` (the caller's principal, e.g.
 * `/org/evil` or `/user/42`) splits the lane when it is not that org.
 */
export function laneOf(resourceUrn: string, owner?: string | null, publisher?: string | null): string {
  const id = resourceIdOf(resourceUrn);
  const org =
    id === null
      ? (owner ?? resourceUrn)
      : (appOfResourceId(id)?.org ?? notificationsOrgOfResourceId(id) ?? owner ?? resourceUrn);
  // A publisher other than the owning org (a grantee) gets a lane of its own under the org's: its burst
  // holds back its own events, never the org's own events or the org's order status events.
  if (!publisher || publisher === `/org/${org}`) return org;
  return `${org}|${publisher}`;
}
