import { authenticate, platformApp } from "../auth/authenticate";
import { normalizeResourceId } from "../contacts/resource-id";
import type { Env } from "../env";
import type { AppContext } from "../http/context";
import { fail } from "../http/problem";
import { mayNotify } from "../resources/policy";
import { loadResource } from "../resources/queries";

import { NOTIFICATIONS_SCOPE } from "../auth/scopes";

export { NOTIFICATIONS_SCOPE };

/**
 * The org an order request acts for (SPEC §5.1): a valid Platform Access Token's org, or a bearer
 * token's org claim with the notifications scope. No valid token at all: 401; a valid bearer token
 * without the scope or an org claim (and no valid Platform Access Token): 403.
 */
export async function requireCreator(req: Request, app: AppContext): Promise<string> {
  const now = app.now();
  const pat = await platformApp(req, app.env, now);
  if (pat) return pat.org;
  const caller = await authenticate(req, app.env, now);
  if (!caller) fail({ kind: "unauthorized", detail: "A bearer token or a Platform Access Token is required." });
  if (!caller.scopes.has(NOTIFICATIONS_SCOPE) || !caller.org) {
    fail({
      kind: "forbidden",
      detail: `The scope '${NOTIFICATIONS_SCOPE}' and an org claim, or a valid Platform Access Token, are required.`,
    });
  }
  return caller.org;
}

/**
 * The order's `resourceId` must be one the ordering org owns (its apps included) or holds a `notify`
 * grant on (SPEC §5.1), else 403: no org reaches another org's opted-in users through it. Call this
 * from every order API (e-mail, SMS, `/future/`) before anything is stored or looked up. No resourceId:
 * nothing to check.
 */
export async function requireNotifyRight(
  env: Env,
  creator: string,
  resourceId: string | null | undefined,
): Promise<void> {
  if (resourceId === null || resourceId === undefined) return;
  const id = normalizeResourceId(resourceId);
  const resource = id ? await loadResource(env, id) : null;
  if (!mayNotify(resource, creator)) {
    fail({
      kind: "forbidden",
      detail: `Not authorized to notify on behalf of resource ${resourceId.slice(0, 220)}: the ordering org must own it or hold a 'notify' grant on it.`,
    });
  }
}
