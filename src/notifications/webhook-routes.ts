import { parseDeliveryWebhook, WEBHOOK_PROVIDER } from "../email/webhook";
import { signedHeaders } from "../email/resend/webhook";
import { fail } from "../http/problem";
import { json } from "../http/respond";
import { route, type AppRouter } from "../http/router";
import { applyDeliveryReport, completeOrders, isKnownProviderMessage } from "./queries";
import { publishStatusEvents } from "./status-events";
import { isHandled, markHandled, unknownReportAction } from "./webhook-receipts";

/** The HTTP e-mail provider's delivery-status webhook: Succeeded e-mails become Delivered or Failed_Bounced. */
export function registerEmailWebhookRoutes(router: AppRouter): void {
  route(
    router,
    {
      method: "post",
      path: "/notifications/api/v1/email/webhooks/:provider",
      tag: "Notifications",
      summary:
        "Delivery-status webhook of the HTTP e-mail provider (signature verified; replays by delivery id answered once)",
      responses: {
        200: "`{updated}`",
        400: "Bad body",
        401: "Signature missing or wrong",
        404: "Unknown provider or no webhook configured",
        503: "A recent report about an e-mail not yet recorded as sent; deliver again",
      },
    },
    async (req, app) => {
      if (String(req.params.provider) !== WEBHOOK_PROVIDER)
        fail({ kind: "not_found", detail: "No webhook for this provider." });
      const reports = await parseDeliveryWebhook(req, app.env, app.now());
      // The id is part of what the signature covers, so a verified request always has one.
      const deliveryId = signedHeaders(req.headers).id!;
      if (await isHandled(app.env, deliveryId)) return json({ updated: 0, duplicate: true });
      const orders: string[] = [];
      let retry = false;
      for (const r of reports) {
        const orderId = await applyDeliveryReport(app.env, r.providerMessageId, r.status, r.time);
        if (orderId) orders.push(orderId);
        else if (!(await isKnownProviderMessage(app.env, r.providerMessageId))) {
          if (unknownReportAction(r.time, app.now()) === "retry") retry = true;
          else
            console.warn(
              JSON.stringify({
                msg: "delivery report about an unknown e-mail dropped",
                providerMessageId: r.providerMessageId.slice(0, 100),
                status: r.status,
                time: r.time,
              }),
            );
        }
      }
      await completeOrders(app.env, orders, app.now());
      await publishStatusEvents(app.env, app.now());
      // A recent report can overtake the consumer storing the send's outcome: not 2xx, so the provider
      // delivers it again shortly instead of it being lost (and the delivery is not remembered yet).
      if (retry)
        fail({
          kind: "unavailable",
          detail: "The e-mail this report is about is not recorded as sent yet; deliver the report again later.",
        });
      await markHandled(app.env, deliveryId, app.now());
      return json({ updated: orders.length });
    },
  );
}
