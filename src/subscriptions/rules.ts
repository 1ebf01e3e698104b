/** Subscription rules of SPEC §4.4–4.5 as pure functions: endpoints, app vs generic, rights, filters. */
import type { Caller } from "../auth/claims";
import type { CloudEvent } from "../events/cloudevent";
import { base64 } from "../lib/encoding";
import { wildcardPrefixMatch } from "../lib/wildcard";
import { isAllowedDestination } from "../net/destination";
import { APP_SOURCE_FILTER, RESOURCE_URN } from "../resources/ids";
import {
  appOfResourceId,
  appResourceUrn,
  isAllowed,
  ownPartySubject,
  resourceIdOf,
  type Resource,
} from "../resources/policy";

/** The filters a subscription matches events with; null = no filter. */
export interface Filters {
  sourceFilter: string | null;
  resourceFilter: string;
  subjectFilter: string | null;
  alternativeSubjectFilter: string | null;
  typeFilter: string | null;
}

/** `https://{host}/{org}/{app}` (and anything below it) names an app; `%` in the org or app part does not. */
export function appOfSourceFilter(sourceFilter: string): { org: string; app: string } | null {
  const m = sourceFilter.match(APP_SOURCE_FILTER);
  return m ? { org: m[1]!, app: m[2]! } : null;
}

export type SubscriptionKind =
  | { kind: "app"; resourceFilter: string }
  | { kind: "generic"; resourceFilter: string | undefined };

/** App subscription (an app resource, or only an app's source filter) or generic one. */
export function kindOf(resourceFilter: string | undefined, sourceFilter: string | undefined): SubscriptionKind {
  if (resourceFilter) {
    return appOfResourceId(resourceIdOf(resourceFilter) ?? "")
      ? { kind: "app", resourceFilter }
      : { kind: "generic", resourceFilter };
  }
  const app = sourceFilter ? appOfSourceFilter(sourceFilter) : null;
  return app
    ? { kind: "app", resourceFilter: appResourceUrn(app.org, app.app) }
    : { kind: "generic", resourceFilter: undefined };
}

/**
 * May this caller subscribe with these filters? By ownership or a `subscribe` grant, or, for a user
 * on an app resource, when the subject filter is their own party (SPEC §3).
 */
export function maySubscribe(resource: Resource | null, caller: Caller, subjectFilter: string | null): boolean {
  if (isAllowed(resource, caller, "subscribe")) return true;
  const own = ownPartySubject(resource, caller);
  return own !== null && subjectFilter === own;
}

/** The caller a stored consumer stands for when its right is re-checked at push time (no scopes: they were checked at creation). */
export function callerOfConsumer(consumer: string, party: string | null): Caller {
  const [, kind, value] = consumer.split("/");
  const base: Caller = { principal: consumer, scopes: new Set(), ...(party ? { partyId: party } : {}) };
  if (kind === "org" && value) return { ...base, org: value };
  if (kind === "user" && value) return { ...base, userId: value };
  if (kind === "organisation" && value) return { ...base, orgNumber: value };
  return base;
}

/** `%` matches any run of characters; the filter is a prefix of the source. Linear time, no RegExp. */
export function sourceMatches(filter: string, source: string): boolean {
  return wildcardPrefixMatch(filter, source);
}

/** Does the event pass every filter the subscription sets? */
export function matches(f: Filters, event: CloudEvent): boolean {
  if (event.resource !== f.resourceFilter) return false;
  if (f.sourceFilter !== null && !sourceMatches(f.sourceFilter, event.source)) return false;
  if (f.subjectFilter !== null && event.subject !== f.subjectFilter) return false;
  if (f.alternativeSubjectFilter !== null && event.alternativesubject !== f.alternativeSubjectFilter) return false;
  if (f.typeFilter !== null && event.type !== f.typeFilter) return false;
  return true;
}

/** `%` is a wildcard, not a URL character: a source filter is still an absolute http(s) URL around its wildcards. */
export function isSourceFilter(value: string): boolean {
  try {
    const url = new URL(value.replaceAll("%", "x"));
    return url.protocol === "https:" || url.protocol === "http:";
  } catch {
    return false;
  }
}

/**
 * The form checks of `POST /subscriptions` with SPEC §4.4's texts, in order; null when the request passes
 * them (rights are checked after, against the resource).
 */
export function requestProblem(
  body: { endPoint?: string | null; sourceFilter?: string | null; resourceFilter?: string | null },
  insecure: boolean,
): string | null {
  if (!body.endPoint || !isAllowedDestination(body.endPoint, insecure))
    return "Missing or invalid endpoint to push events towards";
  if (body.sourceFilter && !isSourceFilter(body.sourceFilter)) return "The source filter must be an absolute URL.";
  if (body.resourceFilter && !RESOURCE_URN.test(body.resourceFilter)) return "'ResourceFilter' must be a valid urn.";
  return null;
}

/** Subscriptions one consumer may hold (SPEC §4.4): `MAX_SUBSCRIPTIONS_PER_CONSUMER`, default 100. */
export const DEFAULT_MAX_SUBSCRIPTIONS_PER_CONSUMER = 100;

export function maxSubscriptionsPerConsumer(env: { MAX_SUBSCRIPTIONS_PER_CONSUMER?: string }): number {
  const raw = env.MAX_SUBSCRIPTIONS_PER_CONSUMER?.trim();
  const n = raw && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_MAX_SUBSCRIPTIONS_PER_CONSUMER;
}

export function tooManySubscriptions(limit: number): string {
  return `A consumer may hold at most ${limit} subscriptions; delete one before creating another.`;
}

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${base64(bytes)}`;
}
