import { registerConsoleRoutes } from "./console/dev-signin";
import { registerContactRoutes } from "./contacts/routes";
import { registerEmailTestRoutes } from "./email/test-routes";
import { registerPublishRoutes } from "./events/publish-routes";
import { registerReadRoutes } from "./events/read-routes";
import { createRouter, type AppRouter } from "./http/router";
import { registerSystemRoutes } from "./http/system-routes";
import { registerOrderRoutes } from "./notifications/routes";
import { registerEmailWebhookRoutes } from "./notifications/webhook-routes";
import { registerResourceRoutes } from "./resources/routes";
import { registerSmsRoutes } from "./sms/routes";
import { registerSubscriptionRoutes } from "./subscriptions/routes";
import { registerLiveRoutes } from "./subscriptions/live-routes";
import { registerOrderListRoutes } from "./notifications/list-routes";
import { registerResourceListRoutes } from "./resources/list-routes";
import { registerFutureRoutes } from "./notifications/future/routes";

/** Every capability registers its routes here; the order does not matter (paths do not overlap). */
export function buildRouter(): AppRouter {
  const router = createRouter();
  registerSystemRoutes(router);
  registerResourceRoutes(router);
  registerContactRoutes(router);
  registerEmailTestRoutes(router);
  registerPublishRoutes(router);
  registerReadRoutes(router);
  registerOrderRoutes(router);
  registerEmailWebhookRoutes(router);
  registerSmsRoutes(router);
  registerSubscriptionRoutes(router);
  registerConsoleRoutes(router);
  registerLiveRoutes(router);
  registerOrderListRoutes(router);
  registerResourceListRoutes(router);
  registerFutureRoutes(router);
  return router;
}
