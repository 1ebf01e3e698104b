// The current order API end to end against `npm start` (SPEC §5.5): an order to an e-mail address with
// a reminder to a mobile number reaches the mail catcher and the SMS catcher; then the shipments and
// the status feed show both finished.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVarsel, token, waitFor, type Varsel } from "./harness";

const FUTURE = "/notifications/api/v1/future";
const SCOPE = "altinn:serviceowner/notifications.create";

describe("npm start: /future/orders with a reminder", () => {
  let varsel: Varsel;
  let smsInbox: string;
  let mailInbox: string;
  let auth: Record<string, string>;
  beforeAll(async () => {
    varsel = await startVarsel();
    smsInbox = varsel.output().match(/SMS page at (http:\/\/localhost:\d+)\/sms/)?.[1] ?? "";
    mailInbox = varsel.output().match(/inbox at (http:\/\/localhost:\d+)\n/)?.[1] ?? "";
    if (!smsInbox || !mailInbox) throw new Error(`no inbox URLs in the npm start output:\n${varsel.output()}`);
    auth = { authorization: `Bearer ${await token({ org: "ttd", scope: SCOPE })}` };
  });
  afterAll(async () => {
    await varsel?.stop();
  });

  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${varsel.base}${path}`, { headers: auth });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };

  it("delivers the e-mail and the reminder's SMS, then shows the shipments and the feed", async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const address = `future-${tag}@example.no`;
    const res = await fetch(`${varsel.base}${FUTURE}/orders`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        idempotencyId: `e2e-${tag}`,
        sendersReference: `case-${tag}`,
        recipient: {
          recipientEmail: {
            emailAddress: address,
            emailSettings: { subject: `Sak ${tag}`, body: "Du har en ny melding." },
          },
        },
        reminders: [
          {
            requestedSendTime: new Date(Date.now() + 3000).toISOString(),
            sendersReference: `case-${tag}-reminder`,
            recipient: {
              recipientSms: {
                phoneNumber: "+4740000001",
                smsSettings: { sender: "Varsel", body: `Påminnelse ${tag}`, sendingTimePolicy: "Anytime" },
              },
            },
          },
        ],
      }),
    });
    expect(res.status).toBe(201);
    const receipt = (await res.json()) as {
      notification: { shipmentId: string; reminders: { shipmentId: string }[] };
    };
    const main = receipt.notification.shipmentId;
    const reminder = receipt.notification.reminders[0]!.shipmentId;

    const mail = await waitFor(
      async () => {
        const list = (await (await fetch(`${mailInbox}/api/messages?to=${address}`)).json()) as { subject: string }[];
        return list.find((m) => m.subject === `Sak ${tag}`);
      },
      120_000,
      "the e-mail in the mail catcher",
    );
    expect(mail.subject).toBe(`Sak ${tag}`);
    const sms = await waitFor(
      async () => {
        const list = (await (await fetch(`${smsInbox}/api/sms`)).json()) as {
          receiver: string;
          text: string;
          sender: string;
        }[];
        return list.find((s) => s.text === `Påminnelse ${tag}`);
      },
      120_000,
      "the reminder's SMS in the SMS catcher",
    );
    expect([sms.receiver, sms.sender]).toEqual(["+4740000001", "Varsel"]);

    type Shipment = {
      type: string;
      status: string;
      recipients: { type: string; destination: string; status: string }[];
    };
    const mainShipment = await waitFor(
      async () => {
        const s = await get<Shipment>(`${FUTURE}/shipment/${main}`);
        return s.status === "Order_Completed" ? s : null;
      },
      60_000,
      "the main shipment completed",
    );
    expect(mainShipment.recipients).toEqual([
      expect.objectContaining({ type: "Email", destination: address, status: "Email_Succeeded" }),
    ]);
    const reminderShipment = await waitFor(
      async () => {
        const s = await get<Shipment>(`${FUTURE}/shipment/${reminder}`);
        return s.status === "Order_Completed" && s.recipients[0]?.status === "SMS_Delivered" ? s : null;
      },
      60_000,
      "the reminder delivered",
    );
    expect(reminderShipment).toMatchObject({
      type: "Reminder",
      recipients: [{ type: "SMS", destination: "+4740000001" }],
    });

    const feed = await waitFor(
      async () => {
        const entries = await get<
          { shipmentId: string; shipmentType: string; status: string; sequenceNumber: number }[]
        >(`${FUTURE}/shipment/feed?orderBy=desc&pageSize=20`);
        const mine = entries.filter((e) => e.shipmentId === main || e.shipmentId === reminder);
        return mine.length === 2 ? mine : null;
      },
      30_000,
      "both shipments in the feed",
    );
    expect(feed.map((e) => [e.shipmentType, e.status]).sort()).toEqual([
      ["Notification", "Order_Completed"],
      ["Reminder", "Order_Completed"],
    ]);
    // The cursor is exclusive: reading on after the newest entry gives nothing more of ours.
    const newest = Math.max(...feed.map((e) => e.sequenceNumber));
    const after = await get<{ shipmentId: string }[]>(`${FUTURE}/shipment/feed?seq=${newest}`);
    expect(after.map((e) => e.shipmentId)).not.toContain(main);
  });
});
