import { authenticate, platformApp } from "../auth/authenticate";
import type { AppContext } from "../http/context";
import { fail } from "../http/problem";

export const NOTIFICATIONS_SCOPE = "altinn:serviceowner/notifications.create";

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
    fail({ kind: "forbidden", detail: `The scope '${NOTIFICATIONS_SCOPE}' and an org claim, or a valid Platform Access Token, are required.` });
  }
  return caller.org;
}
