/** Authorization decisions from the resource registry (SPEC §3). Pure functions: no I/O, no clock. */
import { subjectsOf, type Caller } from "../auth/claims";
import { APP_RESOURCE_ID, NOTIFICATIONS_RESOURCE_ID, RESOURCE_PREFIX } from "./ids";

/** `notify`: may name the resource as an order's `resourceId` (SPEC §3, §5.1). */
export type Action = "publish" | "subscribe" | "read" | "notify";
export const ACTIONS: readonly Action[] = ["publish", "subscribe", "read", "notify"];

export interface Grant {
  subject: string;
  actions: Action[];
}

export interface Resource {
  id: string;
  owner: string;
  title: string;
  grants: Grant[];
}

export { RESOURCE_PREFIX };

/** `urn:altinn:resource:app_ttd_apps-test` -> `app_ttd_apps-test`; null when not a resource URN. */
export function resourceIdOf(urn: string): string | null {
  return urn.startsWith(RESOURCE_PREFIX) && urn.length > RESOURCE_PREFIX.length
    ? urn.slice(RESOURCE_PREFIX.length)
    : null;
}

/** `app_{org}_{app}` names an app resource that exists implicitly, owned by `{org}`. */
export function appOfResourceId(id: string): { org: string; app: string } | null {
  const m = id.match(APP_RESOURCE_ID);
  return m ? { org: m[1]!, app: m[2]! } : null;
}

/** `urn:altinn:resource:app_{org}_{app}`: the URN of an app's implicit resource. */
export function appResourceUrn(org: string, app: string): string {
  return `${RESOURCE_PREFIX}app_${org}_${app}`;
}

/** `notifications_{org}` names the resource an org's order status events are published on (SPEC §5.6), owned by `{org}`. */
export function notificationsOrgOfResourceId(id: string): string | null {
  return id.match(NOTIFICATIONS_RESOURCE_ID)?.[1] ?? null;
}

/** The stored resource, or the implicit one of an app or of an org's notifications when nothing is stored. */
export function effectiveResource(id: string, stored: Resource | null): Resource | null {
  if (stored) return stored;
  const app = appOfResourceId(id);
  if (app) return { id, owner: app.org, title: `${app.org}/${app.app}`, grants: [] };
  const org = notificationsOrgOfResourceId(id);
  return org ? { id, owner: org, title: `Notification status events of ${org}`, grants: [] } : null;
}

/** Does the caller, by ownership or a grant to one of its identities, hold `action` on the resource? */
export function isAllowed(resource: Resource | null, caller: Caller, action: Action): boolean {
  if (!resource) return false;
  if (caller.org && caller.org === resource.owner) return true;
  const mine = new Set(subjectsOf(caller));
  return resource.grants.some((g) => mine.has(g.subject) && g.actions.includes(action));
}

/**
 * May this org name the resource as an order's `resourceId` (SPEC §5.1)? Only when it owns the resource
 * (its apps' implicit resources included) or holds a `notify` grant as `/org/{org}`. An unknown resource:
 * no. Every order API (e-mail, SMS, `/future/`) asks this one question.
 */
export function mayNotify(resource: Resource | null, org: string): boolean {
  return isAllowed(resource, { principal: `/org/${org}`, org, scopes: new Set() }, "notify");
}

/**
 * Users may read and subscribe to app events about their own party (SPEC §3), even without a grant.
 * Returns the subject such a caller is limited to, or null when that rule does not apply.
 */
export function ownPartySubject(resource: Resource | null, caller: Caller): string | null {
  if (!resource || !appOfResourceId(resource.id) || !caller.partyId) return null;
  return `/party/${caller.partyId}`;
}
