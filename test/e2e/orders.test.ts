import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpSink, type CaughtMail, type SmtpSink } from "../helpers/smtp";
import { startVarsel, token, waitFor, type Varsel } from "./harness";

let varsel: Varsel;
let smtp: SmtpSink;
let condition: Server;
let conditionUrl: string;
let auth: Record<string, string>;

beforeAll(async () => {
  smtp = await startSmtpSink();
  condition = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ sendNotification: !req.url!.includes("no") }));
  });
  await new Promise<void>((r) => condition.listen(0, "127.0.0.1", () => r()));
  conditionUrl = `http://127.0.0.1:${(condition.address() as { port: number }).port}`;
  varsel = await startVarsel({
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    CRON_TICK_SECONDS: "1",
    EMAIL_RETRY_SCHEDULE: "1,1,2",
  });
  auth = {
    authorization: `Bearer ${await token({ org: "ttd", scope: "altinn:serviceowner/notifications.create" })}`,
    "content-type": "application/json",
  };
  const admin = {
    authorization: `Bearer ${await token({ org: "digdir", scope: "varsel:admin" })}`,
    "content-type": "application/json",
  };
  for (const [path, body] of [
    ["persons/05059012345", { name: "Ola Nordmann", email: "ola.e2e@example.com", mobile: null, reserved: false }],
    ["organizations/930000123", { name: "Eksempel AS", emails: ["post.e2e@eksempel.example"] }],
  ] as const) {
    const res = await fetch(`${varsel.base}/admin/api/v1/contacts/${path}`, {
      method: "PUT",
      headers: admin,
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`seeding ${path}: ${res.status} ${await res.text()}`);
  }
});
afterAll(async () => {
  await varsel?.stop();
  await smtp?.close();
  condition?.close();
});

async function order(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${varsel.base}/notifications/api/v1/orders/email`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ subject: "Til $recipientName$", body: "Nr $recipientNumber$.", ...body }),
  });
  if (res.status !== 202) throw new Error(`order: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { orderId: string }).orderId;
}

async function status(id: string): Promise<{
  processingStatus: { status: string };
  notificationsStatusSummary: { email: { generated: number; succeeded: number } };
}> {
  return (await fetch(`${varsel.base}/notifications/api/v1/orders/${id}/status`, { headers: auth })).json() as never;
}

const mailTo = (address: string): CaughtMail[] => smtp.messages.filter((m) => m.envelope.to.includes(address));
const waitForMail = (address: string, timeoutMs = 60_000) =>
  waitFor(() => mailTo(address)[0], timeoutMs, `mail to ${address}`);

describe("e-mail orders against wrangler dev and a real SMTP server", () => {
  it("sends an order to an address, a person and an organisation, personalised, and completes it", async () => {
    const id = await order({
      recipients: [
        { emailAddress: "plain.e2e@example.com" },
        { nationalIdentityNumber: "05059012345" },
        { organizationNumber: "930000123" },
      ],
    });
    const plain = await waitForMail("plain.e2e@example.com");
    const person = await waitForMail("ola.e2e@example.com");
    const org = await waitForMail("post.e2e@eksempel.example");
    expect([plain.subject, plain.text.trim()]).toEqual(["Til", "Nr ."]);
    expect([person.subject, person.text.trim()]).toEqual(["Til Ola Nordmann", "Nr ."]);
    expect([org.subject, org.text.trim()]).toEqual(["Til Eksempel AS", "Nr 930000123."]);
    const done = await waitFor(
      async () => {
        const s = await status(id);
        return s.processingStatus.status === "Completed" ? s : null;
      },
      30_000,
      "order completed",
    );
    expect(done.notificationsStatusSummary.email).toEqual({ links: expect.anything(), generated: 3, succeeded: 3 });
  });

  it("sends a scheduled order only after its requested time, through the local ticker", async () => {
    const at = new Date(Date.now() + 6000);
    const id = await order({
      recipients: [{ emailAddress: "later.e2e@example.com" }],
      requestedSendTime: at.toISOString(),
    });
    expect((await status(id)).processingStatus.status).toBe("Registered");
    await waitForMail("later.e2e@example.com");
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
  });

  it("stops at a send condition that is not met, and sends when it is", async () => {
    const no = await order({
      recipients: [{ emailAddress: "cond-no.e2e@example.com" }],
      conditionEndpoint: `${conditionUrl}/no`,
    });
    const yes = await order({
      recipients: [{ emailAddress: "cond-yes.e2e@example.com" }],
      conditionEndpoint: `${conditionUrl}/yes`,
    });
    await waitFor(
      async () => (await status(no)).processingStatus.status === "SendConditionNotMet",
      30_000,
      "SendConditionNotMet",
    );
    await waitForMail("cond-yes.e2e@example.com");
    expect((await status(yes)).notificationsStatusSummary.email.generated).toBe(1);
    expect((await status(no)).notificationsStatusSummary.email.generated).toBe(0);
    expect(mailTo("cond-no.e2e@example.com")).toEqual([]);
  });

  it("loses no e-mail while the SMTP server is down, and sends it exactly once when it is back", async () => {
    await smtp.down();
    const id = await order({ recipients: [{ emailAddress: "outage.e2e@example.com" }] });
    // Let a few attempts fail against the closed port.
    await waitFor(
      async () => (await status(id)).notificationsStatusSummary.email.generated === 1,
      30_000,
      "notification generated",
    );
    await new Promise((r) => setTimeout(r, 4000));
    expect(mailTo("outage.e2e@example.com")).toEqual([]);
    await smtp.up();
    await waitForMail("outage.e2e@example.com", 90_000);
    await waitFor(async () => (await status(id)).processingStatus.status === "Completed", 30_000, "order completed");
    await new Promise((r) => setTimeout(r, 3000));
    expect(mailTo("outage.e2e@example.com")).toHaveLength(1);
  });

  it("cancels an order before it is due; nothing is sent", async () => {
    const id = await order({
      recipients: [{ emailAddress: "cancel.e2e@example.com" }],
      requestedSendTime: new Date(Date.now() + 3600_000).toISOString(),
    });
    const res = await fetch(`${varsel.base}/notifications/api/v1/orders/${id}/cancel`, {
      method: "PUT",
      headers: auth,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { processingStatus: { status: string } }).processingStatus.status).toBe("Cancelled");
  });
});
