// The PSWin gateway misbehaves for a while: it answers 503, drops connections, and sometimes takes a
// session but loses the reply (so Varsel cannot know it was sent). Afterwards it is healthy. Every
// SMS must reach it (nothing lost); duplicates can only come from lost replies (at-least-once).
import { createServer } from "node:http";
import { XMLParser } from "fast-xml-parser";
import { startVarsel, token, waitFor } from "../../test/e2e/harness.ts";

const N = 200;
const FAULT_MS = 20_000;
const ORDERS = "/notifications/api/v1/orders";
const SCOPE = "altinn:serviceowner/notifications.create";

export default {
  name: "sms-gateway-flaky",
  description: `${N} SMS while the PSWin gateway answers 503, drops connections and loses replies for ${FAULT_MS / 1000} s`,
  async run() {
    const received = new Map(); // number -> times the gateway took it
    let faulty = true;
    let session = 0;
    let lostReplies = 0;
    const parser = new XMLParser({ parseTagValue: false, isArray: (n) => n === "MSG" });
    const gateway = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const kind = faulty ? session++ % 3 : -1;
        if (kind === 0) return res.writeHead(503).end("busy");
        if (kind === 1) return req.socket.destroy();
        const msgs = parser.parse(body).SESSION?.MSGLST?.MSG ?? [];
        const out = msgs.map((m) => {
          received.set(m.RCV, (received.get(m.RCV) ?? 0) + 1);
          return `<MSG><ID>${m.ID}</ID><STATUS>OK</STATUS><INFO></INFO><REF>chaos-${m.RCV}-${received.get(m.RCV)}</REF></MSG>`;
        });
        if (kind === 2) {
          lostReplies++;
          return req.socket.destroy(); // taken, but the reply never arrives
        }
        res.writeHead(200, { "content-type": "text/xml" });
        res.end(
          `<?xml version="1.0"?><SESSION><LOGON>OK</LOGON><REASON></REASON><MSGLST>${out.join("")}</MSGLST></SESSION>`,
        );
      });
    });
    await new Promise((r) => gateway.listen(0, "127.0.0.1", r));
    const varsel = await startVarsel({
      SMS_GATEWAY_URL: `http://127.0.0.1:${gateway.address().port}/pswin`,
      SMS_GATEWAY_USER: "chaos",
      SMS_GATEWAY_PASSWORD: "chaos",
      SMS_RETRY_SCHEDULE: "1,2,3",
    });
    try {
      const auth = { authorization: `Bearer ${await token({ org: "ttd", scope: SCOPE })}` };
      const recipients = Array.from({ length: N }, (_, i) => ({
        mobileNumber: `+479${String(1_000_000 + i).padStart(7, "0")}`,
      }));
      const res = await fetch(`${varsel.base}${ORDERS}/sms`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ body: "chaos", recipients }),
      });
      if (res.status !== 202) throw new Error(`order: ${res.status} ${await res.text()}`);
      const { orderId } = await res.json();
      await new Promise((r) => setTimeout(r, FAULT_MS));
      faulty = false;
      const healthyAt = Date.now();
      await waitFor(
        async () => {
          const s = await (
            await fetch(`${varsel.base}${ORDERS}/${orderId}/notifications/sms`, { headers: auth })
          ).json();
          return (
            s.generated === N &&
            s.notifications.every((n) => n.sendStatus.status !== "New" && n.sendStatus.status !== "Sending")
          );
        },
        300_000,
        "every SMS final",
      );
      const settleMs = Date.now() - healthyAt;
      const missing = recipients.filter((r) => !received.has(r.mobileNumber)).length;
      const duplicated = [...received.values()].filter((n) => n > 1).length;
      return {
        expected: N,
        received: received.size,
        missing,
        duplicated,
        settleMs,
        notes: `${session} faulty sessions, ${lostReplies} replies lost`,
      };
    } finally {
      await varsel.stop();
      gateway.closeAllConnections();
      await new Promise((r) => gateway.close(r));
    }
  },
};
