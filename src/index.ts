import { buildRouter } from "./app";
import type { Env } from "./env";
import type { AppContext } from "./http/context";
import { collapseSlashes } from "./http/path";
import { HttpFailure, problemResponse } from "./http/problem";
import { traceIdFor } from "./http/trace";
import { handleQueueBatch } from "./queues";
import { runEventsScheduled, runScheduled } from "./scheduled";
import { errorText } from "./lib/errors";
import { serveAsset } from "./console/assets";
import { API_SECURITY_HEADERS } from "./console/csp";

export { SubscriptionDelivery } from "./delivery/durable-object";
export { EventLog } from "./events/log/event-log";
export { IdGuard } from "./events/log/id-guard";

const router = buildRouter();

export default {
  async fetch(incoming: Request, env: Env, exec: ExecutionContext): Promise<Response> {
    const request = collapseSlashes(incoming);
    const traceId = traceIdFor(request.headers.get("traceparent"));
    const url = new URL(request.url);
    const app: AppContext = { env, exec, traceId, url, baseUrl: url.origin, now: () => new Date() };
    let response: Response;
    try {
      response =
        (await router.fetch(request, app)) ??
        (await serveAsset(request, app)) ??
        problemResponse({ kind: "not_found", detail: "No such route." }, traceId);
    } catch (e) {
      if (e instanceof HttpFailure) response = problemResponse(e.failure, traceId);
      else {
        // Unexpected: log the trace id and the error's name and message only (never headers, so never a token).
        console.error(
          JSON.stringify({
            msg: "unhandled error",
            traceId,
            method: request.method,
            path: url.pathname,
            error: errorText(e),
          }),
        );
        response = problemResponse(
          { kind: "unavailable", detail: "The request could not be completed; try again." },
          traceId,
        );
      }
    }
    if (response.status >= 400)
      console.log(
        JSON.stringify({
          msg: "request failed",
          traceId,
          method: request.method,
          path: url.pathname,
          status: response.status,
        }),
      );
    const out = new Response(response.body, response);
    out.headers.set("traceparent", traceId);
    for (const [k, v] of Object.entries(API_SECURITY_HEADERS)) if (!out.headers.has(k)) out.headers.set(k, v);
    return out;
  },

  async queue(batch: MessageBatch<unknown>, env: Env, exec: ExecutionContext): Promise<void> {
    await handleQueueBatch(batch, env, exec);
  },

  async scheduled(controller: ScheduledController, env: Env, exec: ExecutionContext): Promise<void> {
    await runScheduled(env, new Date(controller.scheduledTime), exec);
    await runEventsScheduled(env, new Date());
  },
} satisfies ExportedHandler<Env>;
