/**
 * `GET /notifications/api/v1/list/shipments/{id}/chain`: the order chain a shipment of the current
 * order API (SPEC §5.5) belongs to: the main shipment and its reminders, each with its own status.
 * Altinn's `GET /future/shipment/{id}` does not say which chain a shipment is in; the console's
 * shipment view needs it. A v1 order, another org's shipment or a made-up id is NOT-00003 (404).
 */
import { z } from "zod";
import { fail } from "../http/problem";
import { json } from "../http/respond";
import { route, type AppRouter } from "../http/router";
import { requireCreator } from "./auth";
import { FUTURE_PATH } from "./future/routes";
import { ORDER_STATUS_DESCRIPTIONS, type OrderStatus } from "./model";
import { isUuid } from "../lib/uuid";

export const CHAIN_PATH = "/notifications/api/v1/list/shipments/:id/chain";

export const chainShipment = z.object({
  shipmentId: z.string(),
  type: z.enum(["Notification", "Reminder", "Instant"]).describe("`Notification` is the main shipment"),
  sendersReference: z.string().nullable(),
  requestedSendTime: z.string(),
  channelSchema: z.string().describe("`Email`, `Sms`, `EmailPreferred`, `SmsPreferred` or `EmailAndSms`"),
  processingStatus: z.object({ status: z.string(), description: z.string(), lastUpdate: z.string() }),
  links: z.object({ shipment: z.string().describe("`GET /future/shipment/{id}`") }),
});

export const chainResponse = z
  .object({
    chainId: z.string().describe("The `notificationOrderId` of `POST /future/orders`"),
    shipments: z.array(chainShipment).describe("The main shipment first, then the reminders by send time"),
  })
  .meta({
    examples: [
      {
        chainId: "5f0c2a8e-8f4b-4c1e-9a43-0c8f2b7f4d10",
        shipments: [
          {
            shipmentId: "0b9b7a1e-2f51-4d2f-8a40-0f3c8d2d1a11",
            type: "Notification",
            sendersReference: "ref-1",
            requestedSendTime: "2026-11-29T10:00:00.000Z",
            channelSchema: "Email",
            processingStatus: {
              status: "Completed",
              description: ORDER_STATUS_DESCRIPTIONS.Completed,
              lastUpdate: "2026-11-29T10:00:05.000Z",
            },
            links: {
              shipment:
                "https://varsel.example/notifications/api/v1/future/shipment/0b9b7a1e-2f51-4d2f-8a40-0f3c8d2d1a11",
            },
          },
        ],
      },
    ],
  });

/** The shipment itself, by its primary key; only a `Future` row of the caller's. */
export const SHIPMENT_SQL = `SELECT chain_id, created FROM notification_orders
  WHERE id = ?1 AND creator = ?2 AND notification_channel = 'Future'`;
/**
 * Its chain: every shipment of one chain is stored in one batch with the same creator and `created`,
 * so the (creator, created, id) index finds them without an index on chain_id. Binds creator, created, chain.
 */
export const CHAIN_SQL = `SELECT id, shipment_type, senders_reference, requested_send_time, channel_schema, status, last_update
  FROM notification_orders WHERE creator = ?1 AND created = ?2 AND chain_id = ?3 AND notification_channel = 'Future'`;

interface Row {
  id: string;
  shipment_type: "Notification" | "Reminder" | "Instant";
  senders_reference: string | null;
  requested_send_time: string;
  channel_schema: string | null;
  status: string;
  last_update: string;
}

/** The main shipment first, then reminders by send time (then id, so the order is stable). Pure. */
export function chainOrder(rows: Row[]): Row[] {
  const main = (r: Row) => (r.shipment_type === "Reminder" ? 1 : 0);
  return [...rows].sort(
    (a, b) =>
      main(a) - main(b) || a.requested_send_time.localeCompare(b.requested_send_time) || a.id.localeCompare(b.id),
  );
}

export function registerChainRoutes(router: AppRouter): void {
  route(
    router,
    {
      method: "get",
      path: CHAIN_PATH,
      tag: "Notifications",
      summary: "The order chain (main shipment and reminders) a current-API shipment belongs to",
      response: chainResponse,
      security: ["bearer", "platformAccessToken"],
      responses: {
        200: "`{chainId, shipments}`",
        401: "No valid token",
        403: "Scope or org claim missing",
        404: "NOT-00003: no such shipment of the caller's",
      },
    },
    async (req, app) => {
      const creator = await requireCreator(req, app);
      const id = String(req.params.id ?? "").toLowerCase();
      const own = isUuid(id)
        ? await app.env.DB.prepare(SHIPMENT_SQL).bind(id, creator).first<{ chain_id: string | null; created: string }>()
        : null;
      if (!own?.chain_id) fail({ kind: "coded", code: "NOT-00003" });
      const { results } = await app.env.DB.prepare(CHAIN_SQL).bind(creator, own.created, own.chain_id).all<Row>();
      const shipments = chainOrder(results).map((r) => ({
        shipmentId: r.id,
        type: r.shipment_type,
        sendersReference: r.senders_reference,
        requestedSendTime: r.requested_send_time,
        channelSchema: r.channel_schema ?? "Email",
        processingStatus: {
          status: r.status,
          description: ORDER_STATUS_DESCRIPTIONS[r.status as OrderStatus] ?? r.status,
          lastUpdate: r.last_update,
        },
        links: { shipment: `${app.baseUrl}${FUTURE_PATH}/shipment/${r.id}` },
      }));
      return json({ chainId: own.chain_id, shipments });
    },
  );
}
