import { json } from "./respond";
import { openApiDocument } from "./openapi";
import { route, type AppRouter } from "./router";
import { problemResponse } from "./problem";

export function registerSystemRoutes(router: AppRouter): void {
  route(router, { method: "get", path: "/health", tag: "System", summary: "Liveness with the storage checked", responses: { 200: "Healthy", 503: "Storage unreachable" } }, async (_req, app) => {
    try {
      await app.env.DB.prepare("SELECT 1 AS ok FROM events LIMIT 1").all();
      return json({ status: "Healthy", storage: "ok", time: app.now().toISOString() });
    } catch {
      return problemResponse({ kind: "unavailable", detail: "The database is unreachable." }, app.traceId);
    }
  });

  route(router, { method: "get", path: "/openapi.json", tag: "System", summary: "This document", responses: { 200: "OpenAPI 3.1" } }, (_req, app) => json(openApiDocument(app.baseUrl)));
}
