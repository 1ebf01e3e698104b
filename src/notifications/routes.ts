import { readJson } from "../http/body";
import type { AppContext } from "../http/context";
import { fail } from "../http/problem";
import { json } from "../http/respond";
import { route, type AppRouter } from "../http/router";
import { parseQuery, parseWith } from "../http/validate";
import { smsStatusCounts } from "../sms/queries";
import { requireCreator, requireNotifyRight } from "./auth";
import { loadContacts } from "./contacts";
import { cancelDecision, FIVE_MINUTES_MS, type Order } from "./model";
import { kickProcessing } from "./processing";
import { publishStatusEvents } from "./status-events";
import { cancelOrder, getOrder, insertOrder, listNotifications, ordersByReference, statusCounts } from "./queries";
import { lookupSummary } from "./resolve";
import { orderFields, orderRequestSchema, ordersQuery } from "./schemas";
import { notificationsView, orderStatusView, orderUrl, orderView, ORDERS_PATH } from "./views";
import { isUuid } from "../lib/uuid";

/** An order body may carry many recipients (10,000 plain addresses is about 450 KB). */
export const MAX_ORDER_BYTES = 1_000_000;
/** The stored order is one D1 row, and D1 rows hold at most 1,000,000 bytes. */
const MAX_STORED_BYTES = 950_000;

async function ownOrder(
  req: { params: Record<string, string | undefined> },
  app: AppContext,
  creator: string,
): Promise<Order> {
  const id = String(req.params.id ?? "").toLowerCase();
  const order = isUuid(id) ? await getOrder(app.env, id, creator) : null;
  if (!order) fail({ kind: "not_found", detail: "No notification order with this id." });
  return order;
}

async function statusBody(app: AppContext, order: Order) {
  const counts =
    order.notificationChannel === "Sms"
      ? await smsStatusCounts(app.env, order.id)
      : await statusCounts(app.env, order.id);
  return orderStatusView(order, counts, app.baseUrl);
}

const auth = ["bearer", "platformAccessToken"] as ("bearer" | "platformAccessToken")[];
const readResponses = {
  200: "The order",
  401: "No valid token",
  403: "Scope or org claim missing",
  404: "No such order of the caller's",
};

export function registerOrderRoutes(router: AppRouter): void {
  route(
    router,
    {
      method: "post",
      path: `${ORDERS_PATH}/email`,
      tag: "Notifications",
      summary: "Order e-mail notifications",
      body: orderFields(new Date(0)),
      security: auth,
      responses: {
        202: "Accepted; `Location` names the order",
        400: "Invalid order",
        401: "No valid token",
        403: "Scope or org claim missing, or no notify right on resourceId",
        413: "Body too large",
      },
    },
    async (req, app) => {
      const creator = await requireCreator(req, app);
      const now = app.now();
      const input = parseWith(
        orderRequestSchema(now, app.env.ALLOW_INSECURE_ENDPOINTS === "true"),
        await readJson(req, { maxBytes: MAX_ORDER_BYTES }),
      );
      await requireNotifyRight(app.env, creator, input.resourceId);
      const order: Order = {
        id: crypto.randomUUID(),
        creator,
        created: now.toISOString(),
        sendersReference: input.sendersReference ?? null,
        requestedSendTime: input.requestedSendTime,
        subject: input.subject,
        body: input.body,
        contentType: input.contentType,
        fromAddress: app.env.EMAIL_FROM || "noreply@varsel.example",
        recipients: input.recipients,
        resourceId: input.resourceId ?? null,
        ignoreReservation: input.ignoreReservation ?? false,
        conditionEndpoint: input.conditionEndpoint ?? null,
        status: "Registered",
        lastUpdate: now.toISOString(),
      };
      const stored = new TextEncoder().encode(JSON.stringify(order.recipients) + order.subject + order.body).byteLength;
      if (stored > MAX_STORED_BYTES)
        fail({
          kind: "payload_too_large",
          detail: `The order is too large to store (${stored} bytes of recipients, subject and body; at most ${MAX_STORED_BYTES}).`,
        });
      const lookup = lookupSummary(
        order.recipients,
        await loadContacts(app.env, order.recipients, order.resourceId),
        order.ignoreReservation,
      );
      await insertOrder(app.env, order);
      if (Date.parse(order.requestedSendTime) <= now.getTime()) kickProcessing(app);
      const location = orderUrl(app.baseUrl, order.id);
      return json({ orderId: order.id, ...(lookup ? { recipientLookup: lookup } : {}) }, 202, { location });
    },
  );

  route(
    router,
    {
      method: "get",
      path: ORDERS_PATH,
      tag: "Notifications",
      summary: "The caller's orders with a sender's reference",
      query: ordersQuery,
      security: auth,
      responses: { ...readResponses, 200: "`{count, orders}`", 400: "sendersReference missing" },
    },
    async (req, app) => {
      const creator = await requireCreator(req, app);
      const q = parseQuery(ordersQuery, app.url);
      const orders = await ordersByReference(app.env, creator, q.sendersReference);
      return json({ count: orders.length, orders: orders.map((o) => orderView(o, app.baseUrl)) });
    },
  );

  route(
    router,
    {
      method: "get",
      path: `${ORDERS_PATH}/:id`,
      tag: "Notifications",
      summary: "An order as stored",
      security: auth,
      responses: readResponses,
    },
    async (req, app) => {
      const order = await ownOrder(req, app, await requireCreator(req, app));
      return json(orderView(order, app.baseUrl));
    },
  );

  route(
    router,
    {
      method: "get",
      path: `${ORDERS_PATH}/:id/status`,
      tag: "Notifications",
      summary: "An order with its processing status",
      security: auth,
      responses: readResponses,
    },
    async (req, app) => {
      const order = await ownOrder(req, app, await requireCreator(req, app));
      return json(await statusBody(app, order));
    },
  );

  route(
    router,
    {
      method: "get",
      path: `${ORDERS_PATH}/:id/notifications/email`,
      tag: "Notifications",
      summary: "An order's e-mails and their send status",
      security: auth,
      responses: readResponses,
    },
    async (req, app) => {
      const order = await ownOrder(req, app, await requireCreator(req, app));
      return json(notificationsView(order, await listNotifications(app.env, order.id)));
    },
  );

  route(
    router,
    {
      method: "put",
      path: `${ORDERS_PATH}/:id/cancel`,
      tag: "Notifications",
      summary: "Cancel an order not yet due",
      security: auth,
      responses: {
        ...readResponses,
        200: "Cancelled; the order with its status",
        409: "Already processing, or due within five minutes",
      },
    },
    async (req, app) => {
      const creator = await requireCreator(req, app);
      const order = await ownOrder(req, app, creator);
      const now = app.now();
      const decision = cancelDecision(order, now);
      if (decision === "already") return json(await statusBody(app, order));
      const cancelled =
        decision === "cancel"
          ? await cancelOrder(app.env, order.id, creator, now, new Date(now.getTime() + FIVE_MINUTES_MS))
          : null;
      if (!cancelled)
        fail({
          kind: "conflict",
          detail: "The order cannot be cancelled: it is being processed or due within five minutes.",
        });
      await publishStatusEvents(app.env, now);
      return json(await statusBody(app, cancelled));
    },
  );
}
