/** Which events of a resource a caller may read (SPEC §3, §4.3). Pure. */
import type { Caller } from "../auth/claims";
import { isAllowed, ownPartySubject, type Resource } from "../resources/policy";

export type ReadAccess = { kind: "all" } | { kind: "subject"; subject: string } | { kind: "none" };

export function readAccess(resource: Resource | null, caller: Caller): ReadAccess {
  if (isAllowed(resource, caller, "read")) return { kind: "all" };
  const own = ownPartySubject(resource, caller);
  return own ? { kind: "subject", subject: own } : { kind: "none" };
}

/**
 * The subject filter to query with: the one asked for, narrowed by access. `undefined` means no
 * subject filter; `null` means nothing can match (asked for someone else's party).
 */
export function effectiveSubject(access: ReadAccess, requested: string | undefined): string | undefined | null {
  if (access.kind !== "subject") return requested;
  if (requested !== undefined && requested !== access.subject) return null;
  return access.subject;
}
