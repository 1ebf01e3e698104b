// An order's whole path with the HTTP provider: wrangler dev sends through Resend's wire format to a
// loopback server, and Resend's Svix-signed delivery webhook moves the e-mails to Delivered and
// Failed_Bounced.
import { createServer, type Server } from "node:http";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVarsel, token, waitFor, type Varsel } from "./harness";

const SECRET = "whsec_" + Buffer.from("orders-resend-webhook-secret-32b!").toString("base64");
const API_KEY = "re_orders_key";
let varsel: Varsel;
let api: Server;
const sent: { key: string; body: { to: string[]; subject: string; text?: string }; id: string }[] = [];

beforeAll(async () => {
  // Resend's POST /emails: bearer key, JSON body, answers {id}.
  api = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/emails" || req.headers.authorization !== `Bearer ${API_KEY}`) {
        res
          .writeHead(401, { "content-type": "application/json" })
          .end(JSON.stringify({ statusCode: 401, name: "missing_api_key", message: "Missing API key" }));
        return;
      }
      const id = crypto.randomUUID();
      sent.push({ key: String(req.headers["idempotency-key"]), body: JSON.parse(raw), id });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id }));
    });
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
  varsel = await startVarsel({
    EMAIL_PROVIDER: "resend",
    EMAIL_API_URL: url,
    EMAIL_API_KEY: API_KEY,
    EMAIL_WEBHOOK_SECRET: SECRET,
    CRON_TICK_SECONDS: "1",
  });
});
afterAll(async () => {
  await varsel?.stop();
  api?.close();
});

async function webhook(type: string, emailId: string, secret = SECRET): Promise<number> {
  const body = JSON.stringify({
    type,
    created_at: new Date().toISOString(),
    data: { email_id: emailId, created_at: new Date().toISOString() },
  });
  const id = `msg_${crypto.randomUUID()}`;
  const at = new Date();
  const signature = new Webhook(secret).sign(id, at, body);
  const res = await fetch(`${varsel.base}/notifications/api/v1/email/webhooks/resend`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "svix-id": id,
      "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
      "svix-signature": signature,
    },
    body,
  });
  return res.status;
}

describe("an order through the HTTP e-mail provider and its delivery webhook", () => {
  it("sends each e-mail once with its notification id as idempotency key, then records delivery and bounce", async () => {
    const auth = {
      authorization: `Bearer ${await token({ org: "ttd", scope: "altinn:serviceowner/notifications.create" })}`,
    };
    const res = await fetch(`${varsel.base}/notifications/api/v1/orders/email`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        subject: "Hei",
        body: "Melding",
        recipients: [{ emailAddress: "delivered@example.com" }, { emailAddress: "bounced@example.com" }],
      }),
    });
    expect(res.status).toBe(202);
    const { orderId } = (await res.json()) as { orderId: string };
    type List = {
      notifications: { id: string; recipient: { emailAddress: string }; sendStatus: { status: string } }[];
    };
    const list = async () =>
      (await (
        await fetch(`${varsel.base}/notifications/api/v1/orders/${orderId}/notifications/email`, { headers: auth })
      ).json()) as List;
    const succeeded = await waitFor(
      async () => {
        const l = await list();
        return l.notifications.length === 2 && l.notifications.every((n) => n.sendStatus.status === "Succeeded")
          ? l
          : null;
      },
      60_000,
      "both Succeeded",
    );

    const byAddress = new Map(succeeded.notifications.map((n) => [n.recipient.emailAddress, n.id]));
    const mine = sent.filter((s) => byAddress.has(s.body.to[0]!));
    expect(mine.map((s) => [s.body.to[0], s.key]).sort()).toEqual([...byAddress.entries()].sort());
    expect(mine[0]!.body).toMatchObject({ subject: "Hei", text: "Melding" });

    const idOf = (to: string) => mine.find((s) => s.body.to[0] === to)!.id;
    expect(
      await webhook(
        "email.delivered",
        idOf("delivered@example.com"),
        "whsec_" + Buffer.from("not-the-secret-at-all-32-bytes!!").toString("base64"),
      ),
    ).toBe(401);
    expect(await webhook("email.delivered", idOf("delivered@example.com"))).toBe(200);
    expect(await webhook("email.bounced", idOf("bounced@example.com"))).toBe(200);
    const after = await list();
    expect(after.notifications.map((n) => [n.recipient.emailAddress, n.sendStatus.status])).toEqual([
      ["delivered@example.com", "Delivered"],
      ["bounced@example.com", "Failed_Bounced"],
    ]);
    const status = (await (
      await fetch(`${varsel.base}/notifications/api/v1/orders/${orderId}/status`, { headers: auth })
    ).json()) as { processingStatus: { status: string }; notificationsStatusSummary: { email: { succeeded: number } } };
    expect(status.processingStatus.status).toBe("Completed");
    expect(status.notificationsStatusSummary.email.succeeded).toBe(1);
  });
});
