import { parseDeliveryWebhook, WEBHOOK_PROVIDER } from "../email/webhook";
import { fail } from "../http/problem";
import { json } from "../http/respond";
import { route, type AppRouter } from "../http/router";
import { applyDeliveryReport, completeOrders } from "./queries";

/** The HTTP e-mail provider's delivery-status webhook: Succeeded e-mails become Delivered or Failed_Bounced. */
export function registerEmailWebhookRoutes(router: AppRouter): void {
  route(router, { method: "post", path: "/notifications/api/v1/email/webhooks/:provider", tag: "Notifications", summary: "Delivery-status webhook of the HTTP e-mail provider (signature verified)", responses: { 200: "`{updated}`", 400: "Bad body", 401: "Signature missing or wrong", 404: "Unknown provider or no webhook configured" } }, async (req, app) => {
    if (String(req.params.provider) !== WEBHOOK_PROVIDER) fail({ kind: "not_found", detail: "No webhook for this provider." });
    const reports = await parseDeliveryWebhook(req, app.env, app.now());
    const orders: string[] = [];
    for (const r of reports) {
      const orderId = await applyDeliveryReport(app.env, r.providerMessageId, r.status, r.time);
      if (orderId) orders.push(orderId);
    }
    await completeOrders(app.env, orders, app.now());
    return json({ updated: orders.length });
  });
}
