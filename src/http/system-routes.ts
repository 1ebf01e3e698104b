import { json } from "./respond";
import { openApiDocument } from "./openapi";
import { route, type AppRouter } from "./router";
import { problemResponse } from "./problem";
import { emailConfigProblem } from "../email/config";

export function registerSystemRoutes(router: AppRouter): void {
  route(
    router,
    {
      method: "get",
      path: "/health",
      tag: "System",
      summary: "Liveness with storage and the e-mail configuration checked; `degraded` (still 200) names what is wrong",
      responses: { 200: "`{status: ok|degraded, checks}`", 503: "Storage unreachable" },
    },
    async (_req, app) => {
      try {
        await app.env.DB.prepare("SELECT 1 AS ok FROM events LIMIT 1").all();
      } catch {
        return problemResponse({ kind: "unavailable", detail: "The database is unreachable." }, app.traceId);
      }
      const email = emailConfigProblem(app.env);
      const checks = { storage: "ok", email: email ?? "ok" };
      return json({ status: email ? "degraded" : "ok", checks, time: app.now().toISOString() });
    },
  );

  route(
    router,
    {
      method: "get",
      path: "/openapi.json",
      tag: "System",
      summary: "This document",
      responses: { 200: "OpenAPI 3.1" },
    },
    (_req, app) => json(cachedDocument(app.baseUrl)),
  );
}

/** The document depends only on the base URL: built once per isolate and URL (it is large). */
const documents = new Map<string, unknown>();
function cachedDocument(baseUrl: string): unknown {
  let doc = documents.get(baseUrl);
  if (doc === undefined) {
    if (documents.size >= 8) documents.clear();
    doc = openApiDocument(baseUrl);
    documents.set(baseUrl, doc);
  }
  return doc;
}
