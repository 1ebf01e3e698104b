/** Who among an organisation's users may be notified about a resource. Pure. */
import type { Caller } from "../auth/claims";
import { isAllowed, type Resource } from "../resources/policy";

/** The caller a user is judged as: only `/user/{userId}`, so the owner-org rule never applies. */
export function userCaller(userId: string): Caller {
  return { principal: `/user/${userId}`, userId, scopes: new Set() };
}

/** Does the user hold `read` on the resource through its policy? */
export function mayRead(resource: Resource, userId: string): boolean {
  return isAllowed(resource, userCaller(userId), "read");
}
