/** Contact register admin API (SPEC §5.3), scope varsel:admin. Thin handlers. */
import type { z } from "zod";
import { requireAdmin } from "../http/admin";
import { readJson, readText, requireMediaType } from "../http/body";
import type { AppContext } from "../http/context";
import { fail } from "../http/problem";
import { json } from "../http/respond";
import { route, type AppRouter } from "../http/router";
import { parseWith } from "../http/validate";
import { parseNdjson } from "./ndjson";
import {
  deleteOrganization,
  deleteOrgUser,
  deletePerson,
  getOrganization,
  getOrgUser,
  getPerson,
  storeOrganizations,
  storeOrgUsers,
  storePersons,
} from "./queries";
import { resourceUrn } from "./resource-id";
import {
  ninParam,
  organizationBodySchema,
  organizationLineSchema,
  orgNoParam,
  orgUserBodySchema,
  orgUserLineSchema,
  personBodySchema,
  personLineSchema,
  userIdParam,
  type OrgUserRecord,
} from "./schemas";

const BASE = "/admin/api/v1/contacts";
/** Bulk files are read whole; 10 MiB is about 50,000 lines of typical records. */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
export const NDJSON_TYPES = ["application/x-ndjson", "application/ndjson"];

const admin = { tag: "Admin", security: ["bearer"] as "bearer"[] };
const errors = { 400: "Invalid key or body", 401: "No valid token", 403: "Scope varsel:admin missing" };

/** Users are shown with their opt-ins as resource URNs. */
const showUser = (u: OrgUserRecord) => ({ ...u, resources: u.resources.map(resourceUrn) });

async function bulk<S extends z.ZodType>(
  req: Request,
  app: AppContext,
  schema: S,
  keyOf: (r: z.output<S>) => string,
  store: (records: z.output<S>[]) => Promise<void>,
): Promise<Response> {
  await requireAdmin(req, app);
  requireMediaType(req, NDJSON_TYPES);
  const parsed = parseNdjson(await readText(req, MAX_IMPORT_BYTES), schema, keyOf);
  if (parsed.records.length) await store(parsed.records);
  return json({ imported: parsed.accepted, rejected: parsed.rejected });
}

export function registerContactRoutes(router: AppRouter): void {
  // ---- persons ----
  route(
    router,
    {
      method: "put",
      path: `${BASE}/persons/:nin`,
      ...admin,
      summary: "Create or replace a person's contact details",
      body: personBodySchema,
      responses: { 200: "The stored person", ...errors },
    },
    async (req, app) => {
      await requireAdmin(req, app);
      const nin = parseWith(ninParam, req.params.nin);
      const person = { nin, ...parseWith(personBodySchema, await readJson(req)) };
      await storePersons(app.env, [person], app.now());
      return json(person);
    },
  );
  route(
    router,
    {
      method: "get",
      path: `${BASE}/persons/:nin`,
      ...admin,
      summary: "Read a person's contact details",
      responses: { 200: "The person", 404: "Unknown person" },
    },
    async (req, app) => {
      await requireAdmin(req, app);
      const person = await getPerson(app.env, parseWith(ninParam, req.params.nin));
      return person ? json(person) : fail({ kind: "not_found", detail: "No such person in the contact register." });
    },
  );
  route(
    router,
    {
      method: "delete",
      path: `${BASE}/persons/:nin`,
      ...admin,
      summary: "Remove a person",
      responses: { 200: "Deleted", 404: "Unknown person" },
    },
    async (req, app) => {
      await requireAdmin(req, app);
      if (!(await deletePerson(app.env, parseWith(ninParam, req.params.nin))))
        fail({ kind: "not_found", detail: "No such person in the contact register." });
      return json({ deleted: true });
    },
  );
  route(
    router,
    {
      method: "post",
      path: `${BASE}/persons`,
      ...admin,
      summary: "Bulk import persons (NDJSON: one {nin, name, email, mobile, reserved} a line)",
      body: personLineSchema,
      bodyTypes: NDJSON_TYPES,
      responses: {
        200: "{imported, rejected: [{line, error}]}",
        413: "Body over 10 MiB",
        415: "Not application/x-ndjson",
      },
    },
    (req, app) =>
      bulk(
        req,
        app,
        personLineSchema,
        (r) => r.nin,
        (records) => storePersons(app.env, records, app.now()),
      ),
  );

  // ---- organisations' users (registered before /organizations/:orgNo so the bulk path is not taken for an orgNo) ----
  route(
    router,
    {
      method: "post",
      path: `${BASE}/organizations/users`,
      ...admin,
      summary: "Bulk import organisations' users (NDJSON: one {orgNo, userId, email, resources} a line)",
      body: orgUserLineSchema,
      bodyTypes: NDJSON_TYPES,
      responses: {
        200: "{imported, rejected: [{line, error}]}",
        413: "Body over 10 MiB",
        415: "Not application/x-ndjson",
      },
    },
    (req, app) =>
      bulk(
        req,
        app,
        orgUserLineSchema,
        (r) => `${r.orgNo}/${r.userId}`,
        (records) => storeOrgUsers(app.env, records, app.now()),
      ),
  );
  route(
    router,
    {
      method: "put",
      path: `${BASE}/organizations/:orgNo/users/:userId`,
      ...admin,
      summary: "Create or replace a user's address for an organisation and the resources they opted in to",
      body: orgUserBodySchema,
      responses: { 200: "The stored user", ...errors },
    },
    async (req, app) => {
      await requireAdmin(req, app);
      const orgNo = parseWith(orgNoParam, req.params.orgNo);
      const userId = parseWith(userIdParam, req.params.userId);
      const user = { orgNo, userId, ...parseWith(orgUserBodySchema, await readJson(req)) };
      await storeOrgUsers(app.env, [user], app.now());
      return json(showUser(user));
    },
  );
  route(
    router,
    {
      method: "get",
      path: `${BASE}/organizations/:orgNo/users/:userId`,
      ...admin,
      summary: "Read a user's address for an organisation",
      responses: { 200: "The user", 404: "Unknown user" },
    },
    async (req, app) => {
      await requireAdmin(req, app);
      const user = await getOrgUser(
        app.env,
        parseWith(orgNoParam, req.params.orgNo),
        parseWith(userIdParam, req.params.userId),
      );
      return user
        ? json(showUser(user))
        : fail({ kind: "not_found", detail: "No such user for this organisation in the contact register." });
    },
  );
  route(
    router,
    {
      method: "delete",
      path: `${BASE}/organizations/:orgNo/users/:userId`,
      ...admin,
      summary: "Remove a user's address for an organisation",
      responses: { 200: "Deleted", 404: "Unknown user" },
    },
    async (req, app) => {
      await requireAdmin(req, app);
      if (
        !(await deleteOrgUser(
          app.env,
          parseWith(orgNoParam, req.params.orgNo),
          parseWith(userIdParam, req.params.userId),
        ))
      )
        fail({ kind: "not_found", detail: "No such user for this organisation in the contact register." });
      return json({ deleted: true });
    },
  );

  // ---- organisations ----
  route(
    router,
    {
      method: "put",
      path: `${BASE}/organizations/:orgNo`,
      ...admin,
      summary: "Create or replace an organisation's official notification addresses",
      body: organizationBodySchema,
      responses: { 200: "The stored organisation", ...errors },
    },
    async (req, app) => {
      await requireAdmin(req, app);
      const orgNo = parseWith(orgNoParam, req.params.orgNo);
      const org = { orgNo, ...parseWith(organizationBodySchema, await readJson(req)) };
      await storeOrganizations(app.env, [org], app.now());
      return json(org);
    },
  );
  route(
    router,
    {
      method: "get",
      path: `${BASE}/organizations/:orgNo`,
      ...admin,
      summary: "Read an organisation's official notification addresses",
      responses: { 200: "The organisation", 404: "Unknown organisation" },
    },
    async (req, app) => {
      await requireAdmin(req, app);
      const org = await getOrganization(app.env, parseWith(orgNoParam, req.params.orgNo));
      return org ? json(org) : fail({ kind: "not_found", detail: "No such organisation in the contact register." });
    },
  );
  route(
    router,
    {
      method: "delete",
      path: `${BASE}/organizations/:orgNo`,
      ...admin,
      summary: "Remove an organisation's official addresses",
      responses: { 200: "Deleted", 404: "Unknown organisation" },
    },
    async (req, app) => {
      await requireAdmin(req, app);
      if (!(await deleteOrganization(app.env, parseWith(orgNoParam, req.params.orgNo))))
        fail({ kind: "not_found", detail: "No such organisation in the contact register." });
      return json({ deleted: true });
    },
  );
  route(
    router,
    {
      method: "post",
      path: `${BASE}/organizations`,
      ...admin,
      summary: "Bulk import organisations (NDJSON: one {orgNo, name, emails} a line)",
      body: organizationLineSchema,
      bodyTypes: NDJSON_TYPES,
      responses: {
        200: "{imported, rejected: [{line, error}]}",
        413: "Body over 10 MiB",
        415: "Not application/x-ndjson",
      },
    },
    (req, app) =>
      bulk(
        req,
        app,
        organizationLineSchema,
        (r) => r.orgNo,
        (records) => storeOrganizations(app.env, records, app.now()),
      ),
  );
}
