import { requireCaller, requireScope } from "../auth/authenticate";
import type { Caller } from "../auth/claims";
import { deliveryStub } from "../delivery/stub";
import { isRfc3339 } from "../events/cloudevent";
import { decodeAfter, INVALID_CURSOR, nextLink, pageSize } from "../events/cursor";
import { SUBSCRIBE_SCOPE } from "../auth/scopes";
import { readJson } from "../http/body";
import type { AppContext } from "../http/context";
import { fail } from "../http/problem";
import { empty, json } from "../http/respond";
import { route, type AppRouter } from "../http/router";
import { parseQuery, parseWith } from "../http/validate";
import { resourceIdOf } from "../resources/policy";
import { loadResource } from "../resources/queries";
import {
  deleteSubscription,
  findIdentical,
  getSubscription,
  insertSubscription,
  listSubscriptions,
  type NewSubscription,
} from "./queries";
import {
  kindOf,
  maxSubscriptionsPerConsumer,
  maySubscribe,
  newSecret,
  requestProblem,
  tooManySubscriptions,
} from "./rules";
import {
  deliveriesQuery,
  recoverQuery,
  SUBSCRIPTION_ID,
  subscriptionFields,
  subscriptionRequest,
  type SubscriptionRequest,
} from "./schemas";
import type { SubscriptionRow } from "./table";
import { subscriptionView } from "./view";

const BASE = "/events/api/v1/subscriptions";

async function consumerOf(req: Request, app: AppContext): Promise<Caller & { principal: string }> {
  const caller = await requireCaller(req, app.env, app.now());
  if (!caller.principal)
    fail({ kind: "unauthorized", detail: "The token names no consumer (org, user or organisation number)." });
  return caller as Caller & { principal: string };
}

/** The caller's subscription: 404 when unknown and, alike, when another consumer's (SPEC §7.4). */
async function ownSubscription(
  req: Request & { params?: Record<string, string> },
  app: AppContext,
): Promise<SubscriptionRow> {
  const caller = await consumerOf(req, app);
  const raw = String(req.params?.id ?? "");
  const id = SUBSCRIPTION_ID.test(raw) ? Number(raw) : NaN;
  const sub = Number.isSafeInteger(id) ? await getSubscription(app.env, id) : null;
  if (!sub || sub.consumer !== caller.principal)
    fail({ kind: "not_found", detail: `Subscription ${raw.slice(0, 40)} was not found.` });
  return sub;
}

/** Checks the request with SPEC §4.4's texts and returns the subscription to store (without id). */
async function newSubscription(
  app: AppContext,
  caller: Caller & { principal: string },
  body: SubscriptionRequest,
): Promise<NewSubscription> {
  const problem = requestProblem(body, app.env.ALLOW_INSECURE_ENDPOINTS === "true");
  if (problem) fail({ kind: "bad_request", detail: problem });
  const kind = kindOf(body.resourceFilter ?? undefined, body.sourceFilter ?? undefined);
  if (kind.kind === "generic") {
    if (!kind.resourceFilter) fail({ kind: "bad_request", detail: "Resource filter is required." });
    requireScope(caller, SUBSCRIBE_SCOPE);
  }
  const resourceFilter = kind.resourceFilter!;
  const subjectFilter = body.subjectFilter ?? null;
  if (!maySubscribe(await loadResource(app.env, resourceIdOf(resourceFilter)!), caller, subjectFilter)) {
    fail({
      kind: "unauthorized",
      detail: subjectFilter
        ? `Not authorized to create a subscription with subject ${subjectFilter}`
        : `Not authorized to create a subscription for resource ${resourceFilter}`,
    });
  }
  return {
    endPoint: body.endPoint!,
    sourceFilter: body.sourceFilter ?? null,
    resourceFilter,
    subjectFilter,
    alternativeSubjectFilter: body.alternativeSubjectFilter ?? null,
    typeFilter: body.typeFilter ?? null,
    consumer: caller.principal,
    consumerParty: caller.partyId ?? null,
    createdBy: caller.principal,
    created: app.now().toISOString(),
    secret: newSecret(),
  };
}

async function beforeSeq(sub: SubscriptionRow, after: string | undefined, app: AppContext): Promise<number> {
  if (after === undefined) return Number.MAX_SAFE_INTEGER;
  const a = decodeAfter(after);
  if (a.kind === "invalid") fail({ kind: "bad_request", detail: INVALID_CURSOR });
  if (a.kind === "start") return Number.MAX_SAFE_INTEGER;
  if (a.kind === "seq") return a.seq;
  // As for events (SPEC §4.3): an id this subscription never pushed reads from the start (the newest).
  return (await deliveryStub(app.env, sub.id).seqOfEvent(a.id)) ?? Number.MAX_SAFE_INTEGER;
}

export function registerSubscriptionRoutes(router: AppRouter): void {
  route(
    router,
    {
      method: "post",
      path: BASE,
      tag: "Subscriptions",
      summary: "Create a subscription (validated by a handshake before anything is pushed)",
      body: subscriptionFields,
      security: ["bearer"],
      responses: {
        201: "The subscription; `secret` only on first creation",
        400: "Invalid request",
        401: "No valid token, or not authorized for the filters",
        403: "Scope missing",
      },
    },
    async (req, app) => {
      const caller = await consumerOf(req, app);
      const body = parseWith(subscriptionRequest, await readJson(req, { maxBytes: 16 * 1024 }));
      const wanted = await newSubscription(app, caller, body);
      const existing = await findIdentical(app.env, wanted);
      if (existing) return json(subscriptionView(existing), 201, { location: `${app.baseUrl}${BASE}/${existing.id}` });
      const limit = maxSubscriptionsPerConsumer(app.env);
      const row = await insertSubscription(app.env, wanted, limit);
      if (!row) fail({ kind: "bad_request", detail: tooManySubscriptions(limit) });
      try {
        await deliveryStub(app.env, row.id).start(row.id, `${app.baseUrl}${BASE}/${row.id}`);
      } catch (e) {
        console.error(
          JSON.stringify({
            msg: "starting a subscription's delivery failed",
            subscription: row.id,
            traceId: app.traceId,
            error: e instanceof Error ? e.message : String(e),
          }),
        );
        await deleteSubscription(app.env, row.id);
        fail({ kind: "unavailable", detail: "The subscription could not be set up; try again." });
      }
      return json(subscriptionView(row, true), 201, { location: `${app.baseUrl}${BASE}/${row.id}` });
    },
  );

  route(
    router,
    {
      method: "get",
      path: BASE,
      tag: "Subscriptions",
      summary: "The caller's subscriptions",
      security: ["bearer"],
      responses: { 200: "`{count, subscriptions}`", 401: "No valid token" },
    },
    async (req, app) => {
      const caller = await consumerOf(req, app);
      const subs = await listSubscriptions(app.env, caller.principal);
      return json({ count: subs.length, subscriptions: subs.map((s) => subscriptionView(s)) });
    },
  );

  route(
    router,
    {
      method: "get",
      path: `${BASE}/:id`,
      tag: "Subscriptions",
      summary: "One subscription",
      security: ["bearer"],
      responses: { 200: "The subscription", 401: "No valid token", 404: "Unknown, or another consumer's" },
    },
    async (req, app) => {
      return json(subscriptionView(await ownSubscription(req, app)));
    },
  );

  route(
    router,
    {
      method: "delete",
      path: `${BASE}/:id`,
      tag: "Subscriptions",
      summary: "Delete a subscription; no push starts after this",
      security: ["bearer"],
      responses: { 200: "Deleted", 401: "No valid token", 404: "Unknown, or another consumer's" },
    },
    async (req, app) => {
      const sub = await ownSubscription(req, app);
      await deleteSubscription(app.env, sub.id);
      // The object re-reads the row before every push, so the deletion holds even if this call fails.
      await deliveryStub(app.env, sub.id)
        .destroy()
        .catch((e: unknown) =>
          console.error(
            JSON.stringify({
              msg: "clearing a deleted subscription's queue failed",
              subscription: sub.id,
              error: String(e),
            }),
          ),
        );
      return empty(200);
    },
  );

  route(
    router,
    {
      method: "get",
      path: `${BASE}/:id/deliveries`,
      tag: "Subscriptions",
      summary: "Pushes and their attempts, newest first",
      query: deliveriesQuery,
      security: ["bearer"],
      responses: {
        200: "`{count, deliveries}` with a `next` header",
        400: "Invalid query",
        404: "Unknown, or another consumer's",
      },
    },
    async (req, app) => {
      const sub = await ownSubscription(req, app);
      const q = parseQuery(deliveriesQuery, app.url);
      const size = pageSize(q.size);
      if (size === null)
        fail({
          kind: "validation",
          errors: { Size: ["size must be a positive integer."] },
          detail: "size must be a positive integer.",
        });
      const found = await deliveryStub(app.env, sub.id).deliveries({
        ...(q.status ? { status: q.status } : {}),
        beforeSeq: await beforeSeq(sub, q.after, app),
        size,
      });
      const last = found.at(-1);
      return json(
        { count: found.length, deliveries: found.map(({ seq: _seq, ...d }) => d) },
        200,
        last ? { next: nextLink(app.url, app.baseUrl, last.seq) } : {},
      );
    },
  );

  route(
    router,
    {
      method: "post",
      path: `${BASE}/:id/deliveries/:eventId/redeliver`,
      tag: "Subscriptions",
      summary: "Queue a push again",
      security: ["bearer"],
      responses: {
        202: "Queued",
        404: "Unknown subscription (or another consumer's) or event",
        409: "Subscription disabled",
      },
    },
    async (req, app) => {
      const sub = await ownSubscription(req, app);
      if (sub.disabled) fail({ kind: "conflict", detail: "The subscription is disabled." });
      const eventId = String(req.params.eventId ?? "");
      if (!(await deliveryStub(app.env, sub.id).redeliver(eventId)))
        fail({ kind: "not_found", detail: `No push of event ${eventId.slice(0, 100)} to this subscription.` });
      return empty(202);
    },
  );

  route(
    router,
    {
      method: "post",
      path: `${BASE}/:id/recover`,
      tag: "Subscriptions",
      summary: "Queue every dead-lettered push since a time again",
      query: recoverQuery,
      security: ["bearer"],
      responses: {
        202: "`{queued}`",
        400: "Invalid since",
        404: "Unknown, or another consumer's",
        409: "Subscription disabled",
      },
    },
    async (req, app) => {
      const sub = await ownSubscription(req, app);
      const q = parseQuery(recoverQuery, app.url);
      if (!isRfc3339(q.since))
        fail({
          kind: "validation",
          errors: { Since: ["since must be an RFC 3339 time with an offset."] },
          detail: "since must be an RFC 3339 time with an offset.",
        });
      if (sub.disabled) fail({ kind: "conflict", detail: "The subscription is disabled." });
      const queued = await deliveryStub(app.env, sub.id).recover(Date.parse(q.since));
      return json({ queued }, 202);
    },
  );
}
