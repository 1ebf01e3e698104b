/** The v1 SMS order API (SPEC §5.4) and the gateway's delivery-report endpoint (SPEC §5.7). Thin handlers. */
import { readJson } from "../http/body";
import type { AppContext } from "../http/context";
import { fail } from "../http/problem";
import { json } from "../http/respond";
import { route, type AppRouter } from "../http/router";
import { parseWith } from "../http/validate";
import { requireCreator, requireNotifyRight } from "../notifications/auth";
import type { Order } from "../notifications/model";
import { kickProcessing } from "../notifications/processing";
import { getOrder } from "../notifications/queries";
import { MAX_ORDER_BYTES } from "../notifications/routes";
import { orderUrl, ORDERS_PATH } from "../notifications/views";
import { loadSmsContacts } from "./contacts";
import { DEFAULT_SENDER } from "./model";
import { insertSmsOrder, listSms } from "./queries";
import { handleDeliveryReports } from "./reports";
import { smsLookupSummary } from "./resolve";
import { deliveryReportBody, deliveryReportReply, orderAcceptedResponse, smsSummaryResponse } from "./response-schemas";
import { smsOrderFields, smsOrderRequestSchema } from "./schemas";
import { smsSummaryView } from "./views";
import { isUuid } from "../lib/uuid";

/** The stored order is one D1 row (at most 1,000,000 bytes). */
const MAX_STORED_BYTES = 950_000;
const auth = ["bearer", "platformAccessToken"] as ("bearer" | "platformAccessToken")[];
export const SMS_REPORTS_PATH = "/notifications/api/v1/sms/reports";

async function placeSmsOrder(req: Request, app: AppContext): Promise<Response> {
  const creator = await requireCreator(req, app);
  const now = app.now();
  const input = parseWith(
    smsOrderRequestSchema(now, app.env.ALLOW_INSECURE_ENDPOINTS === "true"),
    await readJson(req, { maxBytes: MAX_ORDER_BYTES }),
  );
  await requireNotifyRight(app.env, creator, input.resourceId);
  const order: Order = {
    id: crypto.randomUUID(),
    creator,
    created: now.toISOString(),
    sendersReference: input.sendersReference ?? null,
    requestedSendTime: input.requestedSendTime,
    subject: "",
    body: input.body,
    contentType: "Plain",
    fromAddress: "",
    recipients: [],
    resourceId: input.resourceId ?? null,
    ignoreReservation: input.ignoreReservation ?? false,
    conditionEndpoint: input.conditionEndpoint ?? null,
    status: "Registered",
    lastUpdate: now.toISOString(),
    notificationChannel: "Sms",
    // Altinn's SetSenderIfNotDefined: null or empty takes the default; not validated, not trimmed.
    senderNumber: input.senderNumber || app.env.SMS_DEFAULT_SENDER || DEFAULT_SENDER,
  };
  const stored = new TextEncoder().encode(JSON.stringify(input.recipients) + order.body).byteLength;
  if (stored > MAX_STORED_BYTES)
    fail({
      kind: "payload_too_large",
      detail: `The order is too large to store (${stored} bytes of recipients and body; at most ${MAX_STORED_BYTES}).`,
    });
  const lookup = smsLookupSummary(
    input.recipients,
    await loadSmsContacts(app.env, input.recipients, order.resourceId),
    order.ignoreReservation,
  );
  await insertSmsOrder(app.env, order, input.recipients);
  if (Date.parse(order.requestedSendTime) <= now.getTime()) kickProcessing(app);
  return json({ orderId: order.id, ...(lookup ? { recipientLookup: lookup } : {}) }, 202, {
    location: orderUrl(app.baseUrl, order.id),
  });
}

export function registerSmsRoutes(router: AppRouter): void {
  route(
    router,
    {
      method: "post",
      path: `${ORDERS_PATH}/sms`,
      tag: "Notifications",
      summary: "Order SMS notifications (v1)",
      body: smsOrderFields(new Date(0)).meta({
        examples: [
          {
            body: "Hei $recipientName$, du har fått et brev.",
            senderNumber: "Varsel",
            recipients: [{ mobileNumber: "+4799999999" }, { nationalIdentityNumber: "01019012345" }],
            sendersReference: "case-4711",
            requestedSendTime: "2026-12-01T08:00:00+01:00",
          },
        ],
      }),
      response: orderAcceptedResponse,
      security: auth,
      responses: {
        202: "Accepted; `Location` names the order",
        400: "Invalid order",
        401: "No valid token",
        403: "Scope or org claim missing",
        413: "Body too large",
      },
    },
    (req, app) => placeSmsOrder(req, app),
  );

  route(
    router,
    {
      method: "get",
      path: `${ORDERS_PATH}/:id/notifications/sms`,
      tag: "Notifications",
      summary: "An order's SMS and their send status",
      security: auth,
      response: smsSummaryResponse,
      responses: {
        200: "The SMS summary",
        401: "No valid token",
        403: "Scope or org claim missing",
        404: "No such order of the caller's",
      },
    },
    async (req, app) => {
      const creator = await requireCreator(req, app);
      const id = String(req.params.id ?? "").toLowerCase();
      const order = isUuid(id) ? await getOrder(app.env, id, creator) : null;
      if (!order) fail({ kind: "not_found", detail: "No notification order with this id." });
      return json(smsSummaryView(order, await listSms(app.env, order.id)));
    },
  );

  route(
    router,
    {
      method: "post",
      path: SMS_REPORTS_PATH,
      tag: "Notifications",
      summary: "PSWin delivery reports (XML, HTTP Basic); answers in the gateway's protocol, errors as plain text",
      body: deliveryReportBody,
      bodyTypes: ["application/xml"],
      response: deliveryReportReply,
      responseType: "application/xml",
      errorType: "text/plain",
      responses: {
        200: "`<MSGLST>` with OK per message",
        400: "Empty or malformed report",
        401: "Basic credentials missing or wrong",
        413: "Report larger than the limit",
        500: "Unhandled state (BARREDA, ZEROBAL), as Altinn",
        503: "No SMS with this reference yet: send again later",
      },
    },
    (req, app) => handleDeliveryReports(req, app.env, app.now()),
  );
}
