import { z } from "zod";
import { pageSize } from "../events/cursor";
import { fail } from "../http/problem";
import { json } from "../http/respond";
import { route, type AppRouter } from "../http/router";
import { parseQuery } from "../http/validate";
import { decodeListCursor, encodeListCursor, nextListLink } from "../lib/list-cursor";
import { requireCreator } from "./auth";
import { registerChainRoutes } from "./chain-routes";
import { FUTURE_PATH } from "./future/routes";
import { ORDER_STATUS_DESCRIPTIONS, type OrderStatus } from "./model";
import { orderUrl } from "./views";

/**
 * `GET /notifications/api/v1/list/orders`: the caller's org's orders, newest first, paged like
 * §4.3 (`after` from the `next` header). Altinn's `GET /orders` needs a sender's reference, so the
 * full list has a path of its own. Each item is a summary; the order's own routes give the rest.
 */
export const ORDER_LIST_PATH = "/notifications/api/v1/list/orders";
const CURSOR = "oc1.";

export const orderListQuery = z.object({
  after: z.string().max(1000).optional().describe("The cursor from a `next` link; omit for the newest page"),
  size: z.string().max(12).optional().describe("Page size, default 50, at most 1000"),
});

export const orderSummary = z.object({
  id: z.string(),
  sendersReference: z.string().nullable(),
  requestedSendTime: z.string(),
  created: z.string(),
  notificationChannel: z
    .enum(["Email", "Sms", "Future"])
    .describe("The order's channel; `Future` is a shipment of the current order API (channel chosen per recipient)"),
  processingStatus: z.object({ status: z.string(), description: z.string(), lastUpdate: z.string() }),
  shipmentType: z
    .enum(["Notification", "Reminder", "Instant"])
    .optional()
    .describe("`Future` only: the main shipment (`Notification`), a `Reminder`, or an instant send"),
  chainId: z.string().optional().describe("`Future` only: the order chain's id (`notificationOrderId`)"),
  channelSchema: z
    .string()
    .optional()
    .describe("`Future` only: `Email`, `Sms`, `EmailPreferred`, `SmsPreferred` or `EmailAndSms`"),
  links: z.object({
    self: z.string(),
    status: z.string(),
    shipment: z.string().optional().describe("`Future` only: `GET /future/shipment/{id}`"),
    chain: z.string().optional().describe("`Future` only: `GET /list/shipments/{id}/chain`"),
  }),
});

export const orderListResponse = z.object({ count: z.number().int(), orders: z.array(orderSummary) }).meta({
  examples: [
    {
      count: 1,
      orders: [
        {
          id: "a2a4b6a0-1c1f-4a4e-9d55-3f0f0b2f6c11",
          sendersReference: "ref-1",
          requestedSendTime: "2026-11-29T10:00:00Z",
          created: "2026-11-29T10:00:00Z",
          notificationChannel: "Email",
          processingStatus: {
            status: "Completed",
            description: ORDER_STATUS_DESCRIPTIONS.Completed,
            lastUpdate: "2026-11-29T10:00:05Z",
          },
          links: {
            self: "https://varsel.example/notifications/api/v1/orders/a2a4b6a0-1c1f-4a4e-9d55-3f0f0b2f6c11",
            status: "https://varsel.example/notifications/api/v1/orders/a2a4b6a0-1c1f-4a4e-9d55-3f0f0b2f6c11/status",
          },
        },
      ],
    },
  ],
});

const COLUMNS =
  "id, created, senders_reference, requested_send_time, status, last_update, notification_channel, shipment_type, chain_id, channel_schema";
/** The page's query: binds creator, [created, created, id,] size. Newest first, read from one index. */
export function orderListSql(withCursor: boolean): string {
  const where = withCursor ? "creator = ? AND (created < ? OR (created = ? AND id < ?))" : "creator = ?";
  return `SELECT ${COLUMNS} FROM notification_orders WHERE ${where} ORDER BY created DESC, id DESC LIMIT ?`;
}

interface Row {
  id: string;
  created: string;
  senders_reference: string | null;
  requested_send_time: string;
  status: string;
  last_update: string;
  /** 'Email' or 'Sms' (migration 0008; older rows default to 'Email'). */
  notification_channel: string;
  /** Set on `Future` rows only (migration 0011). */
  shipment_type: "Notification" | "Reminder" | "Instant" | null;
  chain_id: string | null;
  channel_schema: string | null;
}

/** What a `Future` row adds to its summary: its place in the chain, its channel schema, its links. */
function futureFields(r: Row, baseUrl: string) {
  if (r.notification_channel !== "Future") return { fields: {}, links: {} };
  return {
    fields: {
      shipmentType: r.shipment_type ?? "Notification",
      ...(r.chain_id ? { chainId: r.chain_id } : {}),
      channelSchema: r.channel_schema ?? "Email",
    },
    links: {
      shipment: `${baseUrl}${FUTURE_PATH}/shipment/${r.id}`,
      chain: `${baseUrl}/notifications/api/v1/list/shipments/${r.id}/chain`,
    },
  };
}

/** The list and, beside it, the chain of a current-API shipment (chain-routes.ts). */
export function registerOrderListRoutes(router: AppRouter): void {
  registerChainRoutes(router);
  route(
    router,
    {
      method: "get",
      path: ORDER_LIST_PATH,
      tag: "Notifications",
      summary: "The caller's org's orders, newest first, paged with `after` and a `next` header",
      query: orderListQuery,
      response: orderListResponse,
      security: ["bearer", "platformAccessToken"],
      responses: {
        200: "`{count, orders}`; a `next` header when the page is not empty",
        400: "Invalid size or cursor",
        401: "No valid token",
        403: "Scope or org claim missing",
      },
    },
    async (req, app) => {
      const creator = await requireCreator(req, app);
      const q = parseQuery(orderListQuery, app.url);
      const size = pageSize(q.size);
      if (size === null)
        fail({
          kind: "validation",
          errors: { Size: ["size must be a positive integer."] },
          detail: "size must be a positive integer.",
        });
      const after = q.after === undefined ? null : decodeListCursor(CURSOR, q.after, 2);
      if (q.after !== undefined && !after)
        fail({
          kind: "validation",
          errors: { After: ["after must be the cursor from a 'next' link."] },
          detail: "after must be the cursor from a 'next' link.",
        });
      const stmt = after
        ? app.env.DB.prepare(orderListSql(true)).bind(creator, after[0], after[0], after[1], size)
        : app.env.DB.prepare(orderListSql(false)).bind(creator, size);
      const { results } = await stmt.all<Row>();
      const orders = results.map((r) => {
        const self = orderUrl(app.baseUrl, r.id);
        const future = futureFields(r, app.baseUrl);
        return {
          id: r.id,
          sendersReference: r.senders_reference,
          requestedSendTime: r.requested_send_time,
          created: r.created,
          notificationChannel: r.notification_channel,
          processingStatus: {
            status: r.status,
            description: ORDER_STATUS_DESCRIPTIONS[r.status as OrderStatus] ?? r.status,
            lastUpdate: r.last_update,
          },
          ...future.fields,
          links: { self, status: `${self}/status`, ...future.links },
        };
      });
      const last = results.at(-1);
      return json(
        { count: orders.length, orders },
        200,
        last ? { next: nextListLink(app.url, app.baseUrl, encodeListCursor(CURSOR, [last.created, last.id])) } : {},
      );
    },
  );
}
