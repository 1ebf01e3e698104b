import { IttyRouter, type IRequest } from "itty-router";
import type { AppContext, Handler } from "./context";
import { document, type RouteDoc } from "./openapi";

export type AppRouter = ReturnType<typeof IttyRouter<IRequest, [AppContext]>>;

export function createRouter(): AppRouter {
  return IttyRouter<IRequest, [AppContext]>();
}

/** Registers a handler and its OpenAPI description together. */
export function route(router: AppRouter, doc: RouteDoc, handler: Handler): void {
  document(doc);
  router[doc.method](doc.path, handler);
}
