import { platformApp, requireCaller, requireScope } from "../auth/authenticate";
import { readJson } from "../http/body";
import { fail } from "../http/problem";
import { empty, json } from "../http/respond";
import { route, type AppRouter } from "../http/router";
import { isAllowed, notificationsOrgOfResourceId, resourceIdOf } from "../resources/policy";
import { loadResource } from "../resources/queries";
import { checkAppEvent, checkGenericEvent } from "./cloudevent";
import { publishEvent } from "./log-store";
import { appEventDoc, genericEventDoc } from "./schemas";

import { PUBLISH_SCOPE } from "../auth/scopes";

export { PUBLISH_SCOPE };
export const MAX_EVENT_BYTES = 64 * 1024;
const EVENT_TYPES = ["application/cloudevents+json", "application/json"];

export function registerPublishRoutes(router: AppRouter): void {
  route(
    router,
    {
      method: "post",
      path: "/events/api/v1/events",
      tag: "Events",
      summary: "Publish a generic CloudEvent",
      body: genericEventDoc,
      bodyTypes: EVENT_TYPES,
      security: ["bearer"],
      responses: {
        200: "Stored",
        400: "Invalid event",
        401: "No valid token",
        403: "Scope or publish right missing",
        413: "Event larger than 64 KiB",
        415: "Unsupported content type",
      },
    },
    async (req, app) => {
      const caller = await requireCaller(req, app.env, app.now());
      requireScope(caller, PUBLISH_SCOPE);
      const checked = checkGenericEvent(
        await readJson(req, { maxBytes: MAX_EVENT_BYTES, types: EVENT_TYPES }),
        app.now(),
      );
      if (!checked.ok) fail(checked.error);
      const event = checked.value;
      // An org's order status events (SPEC §5.6) are Varsel's to publish: a tenant publishing there
      // could forge one, or take a status event's (source, id) first so the real one is dropped.
      if (notificationsOrgOfResourceId(resourceIdOf(event.resource)!) !== null)
        fail({
          kind: "forbidden",
          detail: `Events on ${event.resource} are published by Varsel only (order status events).`,
        });
      const resource = await loadResource(app.env, resourceIdOf(event.resource)!);
      if (!isAllowed(resource, caller, "publish"))
        fail({ kind: "forbidden", detail: `Not authorized to publish events for resource ${event.resource}` });
      // The owner (and a publisher other than the owner) name the event's lane in the events queue
      // (fairness across tenants, src/events/lanes.ts).
      await publishEvent(app, event, resource?.owner, caller.principal);
      return empty(200);
    },
  );

  route(
    router,
    {
      method: "post",
      path: "/events/api/v1/app",
      tag: "Events",
      summary: "Publish an app event",
      body: appEventDoc,
      security: ["bearer", "platformAccessToken"],
      responses: {
        201: "Created; the body and the `Location` header are the new event id",
        400: "Invalid event",
        401: "No valid token, or source not this app's",
        403: "Platform Access Token missing or invalid",
      },
    },
    async (req, app) => {
      await requireCaller(req, app.env, app.now());
      const identity = await platformApp(req, app.env, app.now());
      if (!identity) fail({ kind: "forbidden", detail: "A valid Platform Access Token is required." });
      const checked = checkAppEvent(
        await readJson(req, { maxBytes: MAX_EVENT_BYTES, types: EVENT_TYPES }),
        identity,
        app.now(),
        crypto.randomUUID(),
      );
      if (!checked.ok) fail(checked.error);
      await publishEvent(app, checked.value);
      // Altinn answers `Created(id, id)`: the Location header is the new id itself.
      return json(checked.value.id, 201, { location: checked.value.id });
    },
  );
}
