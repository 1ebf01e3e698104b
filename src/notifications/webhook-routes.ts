import { parseDeliveryWebhook, WEBHOOK_PROVIDER } from "../email/webhook";
import { fail } from "../http/problem";
import { json } from "../http/respond";
import { route, type AppRouter } from "../http/router";
import { applyDeliveryReport, completeOrders, isKnownProviderMessage } from "./queries";

/** The HTTP e-mail provider's delivery-status webhook: Succeeded e-mails become Delivered or Failed_Bounced. */
export function registerEmailWebhookRoutes(router: AppRouter): void {
  route(router, { method: "post", path: "/notifications/api/v1/email/webhooks/:provider", tag: "Notifications", summary: "Delivery-status webhook of the HTTP e-mail provider (signature verified)", responses: { 200: "`{updated}`", 400: "Bad body", 401: "Signature missing or wrong", 404: "Unknown provider or no webhook configured" } }, async (req, app) => {
    if (String(req.params.provider) !== WEBHOOK_PROVIDER) fail({ kind: "not_found", detail: "No webhook for this provider." });
    const reports = await parseDeliveryWebhook(req, app.env, app.now());
    const orders: string[] = [];
    let unknown = 0;
    for (const r of reports) {
      const orderId = await applyDeliveryReport(app.env, r.providerMessageId, r.status, r.time);
      if (orderId) orders.push(orderId);
      else if (!(await isKnownProviderMessage(app.env, r.providerMessageId))) unknown++;
    }
    await completeOrders(app.env, orders, app.now());
    // A report can overtake the consumer storing the send's outcome (it stores a whole batch at once).
    // Not 2xx, so the provider delivers the report again later instead of it being lost.
    if (unknown) fail({ kind: "unavailable", detail: "The e-mail this report is about is not recorded as sent yet; deliver the report again later." });
    return json({ updated: orders.length });
  });
}
