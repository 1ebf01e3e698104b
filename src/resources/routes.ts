import { requireAdmin } from "../http/admin";
import { readJson } from "../http/body";
import { fail } from "../http/problem";
import { json } from "../http/respond";
import { route, type AppRouter } from "../http/router";
import { parseWith } from "../http/validate";
import { deleteResource, getStoredResource, putResource } from "./queries";
import { resourceBodySchema, resourceIdParam } from "./schemas";

const BASE = "/admin/api/v1/resources/:resourceId";

export function registerResourceRoutes(router: AppRouter): void {
  route(
    router,
    {
      method: "put",
      path: BASE,
      tag: "Admin",
      summary: "Create or replace a resource and its grants",
      body: resourceBodySchema,
      security: ["bearer"],
      responses: {
        200: "The stored resource",
        400: "Invalid resource",
        401: "No valid token",
        403: "Scope varsel:admin missing",
      },
    },
    async (req, app) => {
      await requireAdmin(req, app);
      const id = parseWith(resourceIdParam, req.params.resourceId);
      const body = parseWith(resourceBodySchema, await readJson(req));
      const resource = { id, ...body };
      await putResource(app.env, resource, app.now());
      return json(resource);
    },
  );

  route(
    router,
    {
      method: "get",
      path: BASE,
      tag: "Admin",
      summary: "Read a resource",
      security: ["bearer"],
      responses: { 200: "The resource", 404: "Unknown resource" },
    },
    async (req, app) => {
      await requireAdmin(req, app);
      const resource = await getStoredResource(app.env, parseWith(resourceIdParam, req.params.resourceId));
      if (!resource) fail({ kind: "not_found", detail: "No such resource." });
      return json(resource);
    },
  );

  route(
    router,
    {
      method: "delete",
      path: BASE,
      tag: "Admin",
      summary: "Delete a resource",
      security: ["bearer"],
      responses: { 200: "Deleted", 404: "Unknown resource" },
    },
    async (req, app) => {
      await requireAdmin(req, app);
      if (!(await deleteResource(app.env, parseWith(resourceIdParam, req.params.resourceId))))
        fail({ kind: "not_found", detail: "No such resource." });
      return json({ deleted: true });
    },
  );
}
