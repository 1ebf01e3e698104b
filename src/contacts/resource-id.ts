/** Resource ids in a user's opt-ins and in orders, normalised to one stored form. Pure. */
import { appOfResourceId, RESOURCE_PREFIX, resourceIdOf } from "../resources/policy";
import { RESOURCE_ID } from "../resources/schemas";

/**
 * `urn:altinn:resource:x` -> `x`; `app_{org}_{app}` stays as is (it is the id of the app's
 * implicit resource, the same key the resource registry uses). Anything else -> null.
 */
export function normalizeResourceId(value: string): string | null {
  const id = value.startsWith(RESOURCE_PREFIX) ? resourceIdOf(value) : appOfResourceId(value) ? value : null;
  return id && RESOURCE_ID.test(id) ? id : null;
}

/** The stored form shown back to callers. */
export function resourceUrn(id: string): string {
  return RESOURCE_PREFIX + id;
}
