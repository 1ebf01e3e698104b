/** The current order API's routes (SPEC §5.5): thin handlers over schemas.ts, store.ts and views.ts. */
import { readJson } from "../../http/body";
import type { AppContext } from "../../http/context";
import { fail } from "../../http/problem";
import { json } from "../../http/respond";
import { route, type AppRouter } from "../../http/router";
import { requireCreator, requireNotifyRight } from "../auth";
import { kickProcessing } from "../processing";
import { hasContactPoint } from "./channels";
import { lookUpOrganization, lookUpPerson } from "./lookup";
import { chainReceiptResponse, feedResponse, shipmentResponse } from "./response-schemas";
import { chainRequestSchema, type FutureRecipient, parseChainRequest, type ShipmentRequest } from "./schemas";
import { storeChain, storedAnswer, type ChainReceipt } from "./store";
import { feedPage, shipmentView } from "./views";
import { feedQuerySchema, parseFeedQuery } from "./feed-query";
import { registerInstantRoutes } from "./instant";
import { isUuid } from "../../lib/uuid";

export const FUTURE_PATH = "/notifications/api/v1/future";
const MAX_BYTES = 256_000;
const auth = ["bearer", "platformAccessToken"] as ("bearer" | "platformAccessToken")[];

/** Registration-time check (reference §2.3): a looked-up recipient without a contact point for its schema → 422. */
async function missingContact(app: AppContext, r: FutureRecipient): Promise<boolean> {
  if (r.kind === "email" || r.kind === "sms") return false;
  if (r.kind === "person") {
    const p = await lookUpPerson(app.env, r.nationalIdentityNumber);
    // Reserved persons are not "missing": their shipment records the reservation.
    return !p.reserved && !hasContactPoint(r.channelSchema, p.groups);
  }
  const o = await lookUpOrganization(app.env, r.orgNumber, r.resourceId, false);
  return !hasContactPoint(r.channelSchema, o.groups);
}

const resourceOf = (s: ShipmentRequest) =>
  s.recipient.kind === "person" || s.recipient.kind === "organization" ? s.recipient.resourceId : null;

function withLocation(app: AppContext, receipt: ChainReceipt, status: number): Response {
  const location = `${app.baseUrl}/notifications/api/v1/orders/chain/${receipt.notificationOrderId}`;
  return json(receipt, status, status === 201 ? { location } : undefined);
}

export function registerFutureRoutes(router: AppRouter): void {
  route(
    router,
    {
      method: "post",
      path: `${FUTURE_PATH}/orders`,
      tag: "Notifications (current)",
      summary: "Order a notification with reminders (one recipient, a channel schema)",
      security: auth,
      body: chainRequestSchema(new Date(0), false),
      response: chainReceiptResponse,
      coded: { 422: "NOT-00001" },
      responses: {
        201: "Created: `{notificationOrderId, notification {shipmentId, sendersReference, reminders}}`",
        200: "The same idempotencyId again: the first answer",
        400: "Invalid order",
        401: "No valid token",
        403: "Scope or org claim missing, or no notify right on a resourceId",
        422: "NOT-00001: a looked-up recipient has no contact point for its channel",
      },
    },
    async (req, app) => {
      const creator = await requireCreator(req, app);
      const now = app.now();
      const parsed = parseChainRequest(
        await readJson(req, { maxBytes: MAX_BYTES }),
        now,
        app.env.ALLOW_INSECURE_ENDPOINTS === "true",
      );
      if (!parsed.ok) fail({ kind: "validation", errors: parsed.errors });
      const chain = parsed.value;
      const shipments = [chain.main, ...chain.reminders];
      for (const s of shipments) await requireNotifyRight(app.env, creator, resourceOf(s));
      const first = await storedAnswer<ChainReceipt>(app.env, creator, "Notification", chain.idempotencyId);
      if (first) return withLocation(app, first, 200);
      for (const s of shipments) if (await missingContact(app, s.recipient)) fail({ kind: "coded", code: "NOT-00001" });
      const { receipt, created } = await storeChain(
        app.env,
        creator,
        chain,
        now,
        app.env.EMAIL_FROM || "noreply@varsel.example",
      );
      if (created && Date.parse(chain.main.requestedSendTime) <= now.getTime()) kickProcessing(app);
      return withLocation(app, receipt, created ? 201 : 200);
    },
  );

  // The feed before `/shipment/:id`, so `feed` is never taken for an id.
  route(
    router,
    {
      method: "get",
      path: `${FUTURE_PATH}/shipment/feed`,
      tag: "Notifications (current)",
      summary: "The status feed: one entry per shipment that reached a final state",
      security: auth,
      query: feedQuerySchema,
      response: feedResponse,
      responses: {
        200: "An array of feed entries",
        400: "Invalid seq, pageSize or orderBy",
        401: "No valid token",
        403: "Scope or org claim missing",
      },
    },
    async (_req, app) => {
      const creator = await requireCreator(_req, app);
      const q = feedQuery(app.url);
      return json(await feedPage(app.env, creator, q.seq, q.pageSize, q.orderBy));
    },
  );

  route(
    router,
    {
      method: "get",
      path: `${FUTURE_PATH}/shipment/:id`,
      tag: "Notifications (current)",
      summary: "A shipment with its recipients and their statuses",
      security: auth,
      response: shipmentResponse,
      coded: { 404: "NOT-00003" },
      responses: {
        200: "The shipment",
        401: "No valid token",
        403: "Scope or org claim missing",
        404: "NOT-00003: no such shipment of the caller's",
      },
    },
    async (req, app) => {
      const creator = await requireCreator(req, app);
      const id = String(req.params.id ?? "").toLowerCase();
      const view = isUuid(id) ? await shipmentView(app.env, id, creator) : null;
      if (!view) fail({ kind: "coded", code: "NOT-00003" });
      return json(view);
    },
  );

  registerInstantRoutes(router);
}

/** The feed's query (feed-query.ts). */
export const feedQuery = parseFeedQuery;
