import { z } from "zod";
import { pageSize } from "../events/cursor";
import { requireAdmin } from "../http/admin";
import { fail } from "../http/problem";
import { json } from "../http/respond";
import { route, type AppRouter } from "../http/router";
import { parseQuery } from "../http/validate";
import { decodeListCursor, encodeListCursor, nextListLink } from "../lib/list-cursor";
import type { Grant } from "./policy";
import { resourceListResponse } from "./list-schemas";

const CURSOR = "rc1.";
export const resourcesQuery = z.object({
  after: z.string().max(1000).optional().describe("The cursor from a `next` link; omit for the first page"),
  size: z.string().max(12).optional().describe("Page size, default 50, at most 1000"),
});

/** `GET /admin/api/v1/resources`: the registry in id order, paged like §4.3 (varsel:admin). */
export function registerResourceListRoutes(router: AppRouter): void {
  route(
    router,
    {
      method: "get",
      path: "/admin/api/v1/resources",
      tag: "Admin",
      summary: "List resources in id order, paged with `after` and a `next` header",
      query: resourcesQuery,
      response: resourceListResponse,
      security: ["bearer"],
      responses: {
        200: "`{count, resources}`; a `next` header when the page is not empty",
        400: "Invalid size or cursor",
        401: "No valid token",
        403: "Scope varsel:admin missing",
      },
    },
    async (req, app) => {
      // Only the exact path: `/resources/` (an empty resource id) stays the 404 it was.
      if (app.url.pathname.endsWith("/")) fail({ kind: "not_found", detail: "No such route." });
      await requireAdmin(req, app);
      const q = parseQuery(resourcesQuery, app.url);
      const size = pageSize(q.size);
      if (size === null)
        fail({
          kind: "validation",
          errors: { Size: ["size must be a positive integer."] },
          detail: "size must be a positive integer.",
        });
      const after = q.after === undefined || q.after === "0" ? [""] : decodeListCursor(CURSOR, q.after, 1);
      if (!after)
        fail({
          kind: "validation",
          errors: { After: ["after must be the cursor from a 'next' link."] },
          detail: "after must be the cursor from a 'next' link.",
        });
      const { results } = await app.env.DB.prepare(
        "SELECT id, owner, title, grants FROM resources WHERE id > ? ORDER BY id LIMIT ?",
      )
        .bind(after[0], size)
        .all<{ id: string; owner: string; title: string; grants: string }>();
      const resources = results.map((r) => ({
        id: r.id,
        owner: r.owner,
        title: r.title,
        grants: JSON.parse(r.grants) as Grant[],
      }));
      const last = resources.at(-1);
      return json(
        { count: resources.length, resources },
        200,
        last ? { next: nextListLink(app.url, app.baseUrl, encodeListCursor(CURSOR, [last.id])) } : {},
      );
    },
  );
}
