// SMS end to end against `npm start` (SPEC §5.4, §5.7): with the built-in SMS catcher (order →
// Accepted → Delivered through the catcher's DELIVRD report, shown in the local inbox), and with a
// fake Link Mobility PSWin gateway on loopback speaking the real XML over HTTP (down, then up).
import { createServer, type Server } from "node:http";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM script without types
import { DEMO } from "../../scripts/lib/seed.mjs";
import { startVarsel, token, waitFor, type Varsel } from "./harness";

const ORDERS = "/notifications/api/v1/orders";
const SCOPE = "altinn:serviceowner/notifications.create";

interface Summary {
  generated: number;
  succeeded: number;
  notifications: { recipient: { mobileNumber: string }; sendStatus: { status: string; description: string } }[];
}

async function order(v: Varsel, body: unknown): Promise<string> {
  const res = await fetch(`${v.base}${ORDERS}/sms`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${await token({ org: "ttd", scope: SCOPE })}`,
      "content-type": "application/json",
    },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { orderId: string }).orderId;
}

async function summary(v: Varsel, orderId: string): Promise<Summary> {
  const res = await fetch(`${v.base}${ORDERS}/${orderId}/notifications/sms`, {
    headers: { authorization: `Bearer ${await token({ org: "ttd", scope: SCOPE })}` },
  });
  return (await res.json()) as Summary;
}

describe("npm start with the built-in SMS catcher", () => {
  let varsel: Varsel;
  let smsInbox: string;
  let mailInbox: string;
  beforeAll(async () => {
    varsel = await startVarsel();
    smsInbox = varsel.output().match(/SMS page at (http:\/\/localhost:\d+)\/sms/)?.[1] ?? "";
    mailInbox = varsel.output().match(/inbox at (http:\/\/localhost:\d+)\n/)?.[1] ?? "";
    if (!smsInbox || !mailInbox) throw new Error(`no inbox URLs in the npm start output:\n${varsel.output()}`);
  });
  afterAll(async () => {
    await varsel?.stop();
  });

  it("sends the SMS to the catcher, which shows it and reports DELIVRD back: the SMS ends Delivered", async () => {
    const text = `Hei $recipientName$, kode ${crypto.randomUUID().slice(0, 8)} – æøå`;
    const orderId = await order(varsel, {
      body: text,
      senderNumber: "Varsel",
      recipients: [{ nationalIdentityNumber: DEMO.person }, { mobileNumber: "+47 40 00 00 01" }],
    });
    const done = await waitFor(
      async () => {
        const s = await summary(varsel, orderId);
        return s.generated === 2 && s.notifications.every((n) => n.sendStatus.status === "Delivered") ? s : null;
      },
      90_000,
      "both SMS Delivered",
    );
    expect(done.succeeded).toBe(2);
    type Caught = {
      sender: string;
      receiver: string;
      text: string;
      segments: number;
      report: { state: string; status: string };
    };
    // The catcher marks a report "reported" once it has read Varsel's answer, just after Varsel stored it.
    const mine = await waitFor(
      async () => {
        const caught = (await (await fetch(`${smsInbox}/api/sms`)).json()) as Caught[];
        const ours = caught.filter((s) => s.text.includes(text.slice(-14)));
        return ours.length === 2 && ours.every((s) => s.report.status !== "pending") ? ours : null;
      },
      30_000,
      "both reports answered at the catcher",
    );
    expect(mine.map((s) => [s.receiver, s.sender, s.segments, s.report.state, s.report.status]).sort()).toEqual(
      [
        ["+4799999999", "Varsel", 1, "DELIVRD", "reported"],
        ["+47 40 00 00 01", "Varsel", 1, "DELIVRD", "reported"],
      ].sort(),
    );
    expect(mine.find((s) => s.receiver === "+4799999999")!.text).toBe(text.replace("$recipientName$", "Kari Nordmann"));
    // The e-mail inbox lists the latest SMS under the e-mails, links to the SMS page and serves it.
    const inboxPage = await (await fetch(mailInbox)).text();
    expect(inboxPage).toContain('href="/sms"');
    expect(inboxPage).toContain("<td>+47 40 00 00 01</td>");
    const page = await (await fetch(`${mailInbox}/sms`)).text();
    expect(page).toContain("+47 40 00 00 01");
    expect(page).toContain("Kari Nordmann");
    const status = (await (
      await fetch(`${varsel.base}${ORDERS}/${orderId}/status`, {
        headers: { authorization: `Bearer ${await token({ org: "ttd", scope: SCOPE })}` },
      })
    ).json()) as Record<string, any>;
    expect(status.processingStatus.status).toBe("Completed");
    expect(status.notificationsStatusSummary.sms).toMatchObject({ generated: 2, succeeded: 2 });
  });
});

describe("npm start with SMS_GATEWAY_URL: a fake PSWin gateway on loopback", () => {
  let varsel: Varsel;
  let gateway: Server;
  let up = false;
  let refused = 0;
  const sessions: Record<string, any>[] = [];
  const refs: { ref: string; rcv: string }[] = [];

  beforeAll(async () => {
    gateway = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        if (!up) return (refused++, res.writeHead(503).end("down for maintenance"));
        const doc = new XMLParser({ parseTagValue: false, isArray: (n) => n === "MSG" }).parse(body);
        sessions.push({ raw: body, contentType: req.headers["content-type"], ...doc.SESSION });
        const logon = doc.SESSION.CLIENT === "gw-user" && doc.SESSION.PW === "gw-pass";
        const msgs = (doc.SESSION.MSGLST?.MSG ?? []).map((m: Record<string, string>) => {
          const ref = `PSW-${refs.length + 1}`;
          refs.push({ ref, rcv: m.RCV! });
          return `<MSG><ID>${m.ID}</ID><STATUS>OK</STATUS><INFO></INFO><REF>${ref}</REF></MSG>`;
        });
        res.writeHead(200, { "content-type": "text/xml" });
        res.end(
          `<?xml version="1.0"?><SESSION><LOGON>${logon ? "OK" : "FAIL"}</LOGON><REASON></REASON><MSGLST>${msgs.join("")}</MSGLST></SESSION>`,
        );
      });
    });
    await new Promise<void>((r) => gateway.listen(0, "127.0.0.1", () => r()));
    const port = (gateway.address() as { port: number }).port;
    varsel = await startVarsel({
      SMS_GATEWAY_URL: `http://127.0.0.1:${port}/pswin`,
      SMS_GATEWAY_USER: "gw-user",
      SMS_GATEWAY_PASSWORD: "gw-pass",
      SMS_REPORT_USER: "reporter",
      SMS_REPORT_PASSWORD: "report-pass",
      SMS_RETRY_SCHEDULE: "1",
    });
  });
  afterAll(async () => {
    await varsel?.stop();
    gateway?.closeAllConnections();
    await new Promise((r) => gateway?.close(r));
  });

  it("starts no SMS catcher", () => {
    expect(varsel.output()).not.toContain("SMS catcher");
  });

  it("keeps the SMS while the gateway is down, sends it once it is up (Accepted), and maps the DELIVRD report", async () => {
    const orderId = await order(varsel, { body: "Hei & velkommen <3", recipients: [{ mobileNumber: "+4790000000" }] });
    await waitFor(async () => (await summary(varsel, orderId)).generated === 1, 60_000, "the SMS made");
    await waitFor(() => refused >= 2, 60_000, "the gateway refusing two attempts");
    expect((await summary(varsel, orderId)).notifications[0]!.sendStatus.status).not.toBe("Accepted");
    up = true;
    await waitFor(
      async () => (await summary(varsel, orderId)).notifications[0]!.sendStatus.status === "Accepted",
      90_000,
      "Accepted",
    );
    const session = sessions.find((s) => s.raw.includes("+4790000000"))!;
    expect(session.raw.startsWith('<?xml version="1.0" encoding="iso-8859-1"?>')).toBe(true);
    expect(session.raw).toContain("<TEXT>Hei &amp; velkommen &lt;3</TEXT>");
    expect(session.MSGLST.MSG[0]).toMatchObject({ SND: "Altinn", RCV: "+4790000000", TEXT: "Hei & velkommen <3" });
    expect(refs.filter((r) => r.rcv === "+4790000000")).toHaveLength(1);

    const ref = refs.find((r) => r.rcv === "+4790000000")!.ref;
    const dr = `<?xml version="1.0"?><MSGLST><MSG><ID>1</ID><REF>${ref}</REF><RCV>4790000000</RCV><STATE>DELIVRD</STATE><DELIVERYTIME>2026.11.29 10:00:00</DELIVERYTIME></MSG></MSGLST>`;
    const reports = `${varsel.base}/notifications/api/v1/sms/reports`;
    expect(
      (await fetch(reports, { method: "POST", headers: { "content-type": "application/xml" }, body: dr })).status,
    ).toBe(401);
    const ok = await fetch(reports, {
      method: "POST",
      headers: {
        "content-type": "application/xml",
        authorization: `Basic ${Buffer.from("reporter:report-pass").toString("base64")}`,
      },
      body: dr,
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("<STATUS>OK</STATUS>");
    const s = await summary(varsel, orderId);
    expect(s.notifications[0]!.sendStatus).toMatchObject({
      status: "Delivered",
      description: "The SMS was successfully delivered to its destination.",
    });
  });
});
