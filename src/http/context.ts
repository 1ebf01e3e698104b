import type { IRequest } from "itty-router";
import type { Env } from "../env";

/** What every route handler receives besides the request. The clock is passed in so domain code stays testable. */
export interface AppContext {
  env: Env;
  exec: ExecutionContext;
  traceId: string;
  url: URL;
  /** Scheme and host the caller used, for absolute Location and next links. */
  baseUrl: string;
  now: () => Date;
}

export type Handler = (req: IRequest, app: AppContext) => Promise<Response> | Response;
