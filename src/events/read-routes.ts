import { requireCaller, requireScope } from "../auth/authenticate";
import { SUBSCRIBE_SCOPE } from "../auth/scopes";
import { APP_NAME, ORG_CODE } from "../resources/ids";
import type { AppContext } from "../http/context";
import { fail } from "../http/problem";
import { json } from "../http/respond";
import { route, type AppRouter } from "../http/router";
import { parseQuery } from "../http/validate";
import { appResourceUrn, resourceIdOf } from "../resources/policy";
import { loadResource } from "../resources/queries";
import { effectiveSubject, readAccess } from "./access";
import { decodeAfter, INVALID_CURSOR, nextLink, pageSize } from "./cursor";
import { positionOfEventId, readEvents } from "./log-store";
import type { EventQuery, IdScope, StoredEvent } from "./queries";
import { appEventsQuery, eventsQuery, partyEventsQuery, PERSON_HEADER } from "./schemas";

export { SUBSCRIBE_SCOPE };
const APP_RESOURCE_PREFIX = "urn:altinn:resource:app_";

function types(t: string | string[] | undefined): string[] | undefined {
  return t === undefined ? undefined : Array.isArray(t) ? t : [t];
}

/** The position to read after: a cursor's, or an event id's within what the caller may read; else the start. */
async function afterSeq(app: AppContext, after: string | undefined, scope: IdScope): Promise<number> {
  if (after === undefined) return 0;
  const a = decodeAfter(after);
  if (a.kind === "invalid") fail({ kind: "bad_request", detail: INVALID_CURSOR });
  if (a.kind === "start") return 0;
  if (a.kind === "seq") return a.seq;
  return (await positionOfEventId(app.env, a.id, scope)) ?? 0;
}

function page(app: AppContext, found: StoredEvent[]): Response {
  const last = found.at(-1);
  const headers: HeadersInit = last ? { next: nextLink(app.url, app.baseUrl, last.seq) } : {};
  return json(
    found.map((f) => f.event),
    200,
    headers,
  );
}

function normalTime(t: string | undefined): string | undefined {
  return t === undefined ? undefined : new Date(t).toISOString();
}

export function registerReadRoutes(router: AppRouter): void {
  route(
    router,
    {
      method: "get",
      path: "/events/api/v1/events",
      tag: "Events",
      summary: "Read a resource's events after a cursor",
      query: eventsQuery,
      security: ["bearer"],
      responses: {
        200: "Events in publish order, with a `next` header",
        400: "Invalid query",
        401: "No valid token",
        403: "Scope missing or no read right",
      },
    },
    async (req, app) => {
      const caller = await requireCaller(req, app.env, app.now());
      requireScope(caller, SUBSCRIBE_SCOPE);
      const q = parseQuery(eventsQuery, app.url);
      const altHeader = req.headers.get("alternativesubject") ?? undefined;
      const alternativeSubject = q.alternativesubject ?? altHeader;
      if (q.subject && alternativeSubject)
        fail({ kind: "bad_request", detail: "Only one of 'subject' or 'alternativeSubject' can be defined." });
      const resourceId = resourceIdOf(q.resource);
      const access = readAccess(resourceId ? await loadResource(app.env, resourceId) : null, caller);
      if (access.kind === "none")
        fail({ kind: "forbidden", detail: `Not authorized to read events for resource ${q.resource}` });
      const subject = effectiveSubject(access, q.subject);
      const size = pageSize(q.size)!;
      const t = types(q.type);
      if (subject === null) return page(app, []);
      const found = await readEvents(app.env, {
        resource: q.resource,
        afterSeq: await afterSeq(app, q.after, {
          resource: q.resource,
          ...(access.kind === "subject" ? { subject: access.subject } : {}),
        }),
        ...(subject ? { subject } : {}),
        ...(alternativeSubject ? { alternativeSubject } : {}),
        ...(t ? { types: t } : {}),
        size,
      });
      return page(app, found);
    },
  );

  route(
    router,
    {
      method: "get",
      path: "/events/api/v1/app/:org/:app",
      tag: "Events",
      summary: "Read an app's events (owning org)",
      query: appEventsQuery,
      security: ["bearer"],
      responses: {
        200: "Events in publish order, with a `next` header",
        400: "Invalid query",
        401: "No valid token",
        403: "Not the owning org",
      },
    },
    async (req, app) => {
      const caller = await requireCaller(req, app.env, app.now());
      const q = parseQuery(appEventsQuery, app.url);
      const org = String(req.params.org);
      const appName = String(req.params.app);
      if (!ORG_CODE.test(org) || !APP_NAME.test(appName)) fail({ kind: "not_found", detail: "No such app." });
      const resource = appResourceUrn(org, appName);
      const access = readAccess(await loadResource(app.env, resourceIdOf(resource)!), caller);
      if (access.kind === "none")
        fail({ kind: "forbidden", detail: `Not authorized to read events for ${org}/${appName}` });
      const subject = effectiveSubject(access, q.party ? `/party/${q.party}` : undefined);
      if (subject === null) return page(app, []);
      const scope = { resource, ...(access.kind === "subject" ? { subject: access.subject } : {}) };
      const found = await readEvents(app.env, {
        resource,
        ...(await commonAppFilters(app, req, q, scope)),
        ...(subject ? { subject } : {}),
      });
      return page(app, found);
    },
  );

  route(
    router,
    {
      method: "get",
      path: "/events/api/v1/app/party",
      tag: "Events",
      summary: "Read app events about the caller's own party",
      query: partyEventsQuery,
      security: ["bearer"],
      responses: {
        200: "Events in publish order, with a `next` header",
        400: "Invalid query",
        401: "No valid token",
        403: "Another party",
      },
    },
    async (req, app) => {
      const caller = await requireCaller(req, app.env, app.now());
      const q = parseQuery(partyEventsQuery, app.url);
      const person = req.headers.get("person") ?? undefined;
      if (!q.party && !q.unit && !person)
        fail({
          kind: "bad_request",
          detail: "Subject must be specified using either query params party or unit or header value person.",
        });
      if (!caller.partyId || (q.party && q.party !== caller.partyId))
        fail({ kind: "forbidden", detail: "Only events about your own party can be read here." });
      const own = { resourcePrefix: APP_RESOURCE_PREFIX, subject: `/party/${caller.partyId}` };
      const found = await readEvents(app.env, {
        ...own,
        ...(q.source ? { source: q.source } : {}),
        ...(await commonAppFilters(app, req, q, own)),
      });
      return page(app, found);
    },
  );
}

type AppQuery = { after?: string; from?: string; to?: string; unit?: string; type?: string | string[]; size?: string };

/** after/from/to, unit or person (an alternative subject), type and size: shared by both app read routes. */
async function commonAppFilters(
  app: AppContext,
  req: Request,
  q: AppQuery,
  scope: IdScope,
): Promise<Omit<EventQuery, "resource">> {
  const person = req.headers.get("person");
  if (person && !PERSON_HEADER.test(person))
    fail({ kind: "bad_request", detail: "The 'person' header must be a national identity number of 11 digits." });
  if (person && q.unit) fail({ kind: "bad_request", detail: "Only one of 'unit' or 'person' can be defined." });
  const alternativeSubject = q.unit ? `/organisation/${q.unit}` : person ? `/person/${person}` : undefined;
  const from = normalTime(q.from);
  const to = normalTime(q.to);
  const t = types(q.type);
  return {
    afterSeq: await afterSeq(app, q.after, scope),
    size: pageSize(q.size)!,
    ...(alternativeSubject ? { alternativeSubject } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(t ? { types: t } : {}),
  };
}
