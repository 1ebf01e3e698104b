/**
 * Test-only routes that drive the configured e-mail provider directly, so end-to-end tests can
 * send through SMTP over `cloudflare:sockets` / the HTTP API inside `wrangler dev`. They answer
 * 404 unless the Worker runs with `VARSEL_TEST_ROUTES=true`, and are left out of the OpenAPI
 * document on purpose.
 */
import { z } from "zod";
import type { AppContext } from "../http/context";
import { readJson } from "../http/body";
import { fail } from "../http/problem";
import { json } from "../http/respond";
import type { AppRouter } from "../http/router";
import { parseWith } from "../http/validate";
import { emailProvider } from "./select";
import { parseDeliveryWebhook } from "./webhook";

const mailSchema = z.object({
  to: z.string(),
  from: z.string(),
  subject: z.string(),
  body: z.string(),
  contentType: z.enum(["Plain", "Html"]).default("Plain"),
  idempotencyKey: z.string(),
});

function guard(app: AppContext): void {
  if (app.env.VARSEL_TEST_ROUTES !== "true") fail({ kind: "not_found" });
}

export function registerEmailTestRoutes(router: AppRouter): void {
  /** Body `{mails: [OutgoingEmail...]}`: sends them in order through one provider instance; answers the SendResults. */
  router.post("/__test/email/send", async (req, app: AppContext) => {
    guard(app);
    const { mails } = parseWith(z.object({ mails: z.array(mailSchema).min(1).max(100) }), await readJson(req));
    const provider = emailProvider(app.env);
    const results = [];
    for (const mail of mails) results.push(await provider.send(mail));
    await provider.close?.();
    return json({ provider: provider.name, results });
  });

  router.post("/__test/email/webhook", async (req, app: AppContext) => {
    guard(app);
    return json({ reports: await parseDeliveryWebhook(req, app.env, app.now()) });
  });
}
