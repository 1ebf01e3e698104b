import { requireCaller, requireScope } from "../auth/authenticate";
import type { Caller } from "../auth/claims";
import type { AppContext } from "./context";

import { ADMIN_SCOPE } from "../auth/scopes";

export { ADMIN_SCOPE };

/** Every admin route needs a valid token with the `varsel:admin` scope. */
export async function requireAdmin(req: Request, app: AppContext): Promise<Caller> {
  const caller = await requireCaller(req, app.env, app.now());
  requireScope(caller, ADMIN_SCOPE);
  return caller;
}
