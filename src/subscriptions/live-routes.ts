import { requireCaller } from "../auth/authenticate";
import { deliveryStub } from "../delivery/stub";
import { fail } from "../http/problem";
import { route, type AppRouter } from "../http/router";
import { liveStreamResponse } from "./live-schema";
import { getSubscription } from "./queries";

/**
 * `GET /subscriptions/{id}/live`: the subscription's pushes as they happen, as Server-Sent Events
 * from its Durable Object (src/delivery/live.ts). Only the subscription's owner; an unknown id and
 * another consumer's answer alike (SPEC §7.4). The token goes in the Authorization header, as for
 * every route, so the console reads the stream with fetch rather than EventSource.
 */
export function registerLiveRoutes(router: AppRouter): void {
  route(
    router,
    {
      method: "get",
      path: "/events/api/v1/subscriptions/:id/live",
      tag: "Subscriptions",
      summary: "Watch the subscription's push attempts as they happen (text/event-stream; one `attempt` event each)",
      security: ["bearer"],
      response: liveStreamResponse,
      responseType: "text/event-stream",
      responses: {
        200: "An event stream: `event: attempt` with `{eventId, attempt, statusCode, durationMs, error, outcome, time}`",
        401: "No valid token",
        404: "Unknown, or another consumer's",
      },
    },
    async (req, app) => {
      const caller = await requireCaller(req, app.env, app.now());
      const raw = String(req.params.id ?? "");
      const sub = /^\d{1,15}$/.test(raw) ? await getSubscription(app.env, Number(raw)) : null;
      if (!sub || !caller.principal || sub.consumer !== caller.principal)
        fail({ kind: "not_found", detail: `Subscription ${raw.slice(0, 40)} was not found.` });
      return deliveryStub(app.env, sub.id).fetch("https://subscription.internal/live", {
        headers: { accept: "text/event-stream" },
      });
    },
  );
}
