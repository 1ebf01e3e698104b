// Local SMS catcher for `npm start` (SPEC §5.7, §6): an HTTP server on 127.0.0.1 that speaks the Link
// Mobility PSWin XML gateway protocol (reference §6.2), keeps every SMS in memory, and posts a DELIVRD
// delivery report (reference §6.3) back to Varsel, so statuses reach Delivered locally.
//
//   POST   /gateway        the PSWin session: <SESSION><CLIENT/><PW/><MSGLST><MSG>… → <SESSION><LOGON>OK…
//   GET    /sms            inbox page (newest first); the mail catcher's inbox links here and serves it too
//   GET    /api/sms        [{id, ref, receivedAt, sender, receiver, text, segments, ttlMinutes, report}]
//                          optional filter ?to=number (compared without spaces)
//   DELETE /api/sms        empties the SMS inbox
import { createServer } from "node:http";
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { segmentCount } from "../../src/sms/segments.ts";

const MAX_SMS = 50_000;
const MAX_BODY = 5 * 1024 * 1024;
const esc = (s) =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
const parser = new XMLParser({ parseTagValue: false, trimValues: false, isArray: (n) => n === "MSG" });
const builder = new XMLBuilder({ format: false });
const text = (v) => (v === undefined || v === null ? "" : typeof v === "object" ? text(v["#text"]) : String(v));

function decode(buf, contentType) {
  const charset = /charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType ?? "")?.[1] ?? "iso-8859-1";
  try {
    return new TextDecoder(charset).decode(buf);
  } catch {
    return new TextDecoder("iso-8859-1").decode(buf);
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > MAX_BODY) return reject(new Error("too large"));
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The SMS as an HTML table, newest first (also shown under the e-mails on the mail inbox page). */
export function smsTable(list, limit = 500) {
  const rows = list
    .slice()
    .reverse()
    .slice(0, limit)
    .map(
      (s) =>
        `<tr><td>${esc(s.receivedAt)}</td><td>${esc(s.sender)}</td><td>${esc(s.receiver)}</td><td><pre>${esc(s.text)}</pre></td><td>${s.segments}</td><td>${esc(s.report.state)}: ${esc(s.report.status)}</td></tr>`,
    )
    .join("\n");
  return `<table><thead><tr><th>Received</th><th>Sender</th><th>Number</th><th>Text</th><th>Segments</th><th>Delivery report</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function smsPage(list) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Varsel SMS (${list.length})</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}pre{margin:0;white-space:pre-wrap;font:inherit}</style></head>
<body><h1>Varsel local SMS</h1><p>${list.length} SMS. <a href="/sms">Refresh</a> · <a href="/">E-mail inbox</a> · <a href="/api/sms">JSON</a></p>
${smsTable(list)}
</body></html>`;
}

/**
 * Starts the catcher. `reportUrl` and the report credentials say where the DELIVRD reports go;
 * `user`/`password` are the gateway credentials it expects (a wrong pair gets LOGON FAIL).
 */
export async function startSmsCatcher({ port = 1090, user, password, reportUrl, reportUser, reportPassword }) {
  const messages = [];
  let nextRef = 1;
  const timers = new Set();

  async function report(sms, attempt = 0) {
    const body = `<?xml version="1.0"?>${builder.build({ MSGLST: { MSG: [{ ID: "1", REF: sms.ref, RCV: sms.receiver.replace(/^\+|\s+/g, ""), STATE: "DELIVRD", DELIVERYTIME: new Date().toISOString() }] } })}`;
    let status;
    try {
      const res = await fetch(reportUrl, {
        method: "POST",
        headers: {
          "content-type": "application/xml; charset=utf-8",
          authorization: `Basic ${Buffer.from(`${reportUser}:${reportPassword}`).toString("base64")}`,
        },
        body,
      });
      status = res.status;
      await res.arrayBuffer();
    } catch (e) {
      status = String(e?.cause?.code ?? e?.message ?? e);
    }
    sms.report.attempts = attempt + 1;
    if (status === 200) {
      sms.report.status = "reported";
      return;
    }
    // Varsel may not have stored the reference yet (500), or be restarting: try again, for about 10 minutes.
    if (attempt >= 60) {
      sms.report.status = `not reported (${status})`;
      return;
    }
    sms.report.status = `retrying (${status})`;
    const t = setTimeout(() => (timers.delete(t), report(sms, attempt + 1)), Math.min(10_000, 500 * 2 ** attempt));
    timers.add(t);
  }

  async function gateway(req, res) {
    let doc;
    try {
      doc = parser.parse(decode(await readBody(req), req.headers["content-type"]), true);
    } catch (e) {
      res.writeHead(400, { "content-type": "text/plain" });
      return res.end(`Bad XML: ${e.message}`);
    }
    const session = doc.SESSION ?? {};
    const reply = (xml) => {
      res.writeHead(200, { "content-type": "text/xml; charset=utf-8" });
      res.end(`<?xml version="1.0" encoding="utf-8"?>${builder.build({ SESSION: xml })}`);
    };
    if ((user && text(session.CLIENT).trim() !== user) || (password && text(session.PW) !== password)) {
      return reply({ LOGON: "FAIL", REASON: "Invalid username or password" });
    }
    const results = [];
    const accepted = [];
    for (const m of session.MSGLST?.MSG ?? []) {
      const id = text(m.ID).trim();
      const receiver = text(m.RCV).trim();
      if (!/^(\+|00)?[0-9 ]{5,20}$/.test(receiver)) {
        results.push({ ID: id, STATUS: "FAIL", INFO: `Invalid RCV ${receiver}` });
        continue;
      }
      const ref = `catcher-${Date.now().toString(36)}-${nextRef++}`;
      const body = text(m.TEXT);
      const sms = {
        id: String(nextRef - 1),
        ref,
        receivedAt: new Date().toISOString(),
        sender: text(m.SND).trim(),
        receiver,
        text: body,
        segments: segmentCount(body),
        ttlMinutes: Number(text(m.TTL)) || null,
        report: { state: "DELIVRD", status: "pending", attempts: 0 },
      };
      messages.push(sms);
      while (messages.length > MAX_SMS) messages.shift();
      accepted.push(sms);
      results.push({ ID: id, STATUS: "OK", INFO: "", REF: ref });
    }
    reply({ LOGON: "OK", REASON: "", MSGLST: { MSG: results } });
    for (const sms of accepted) {
      const t = setTimeout(() => (timers.delete(t), report(sms)), 300);
      timers.add(t);
    }
  }

  /** Serves the SMS pages; true when the request was one of them (the mail catcher uses this too). */
  function handle(req, res, url) {
    const json = (status, body) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && url.pathname === "/sms") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(smsPage(messages));
      return true;
    }
    if (req.method === "GET" && url.pathname === "/api/sms") {
      const to = url.searchParams.get("to")?.replace(/\s+/g, "");
      json(
        200,
        messages.filter((s) => !to || s.receiver.replace(/\s+/g, "") === to),
      );
      return true;
    }
    if (req.method === "DELETE" && url.pathname === "/api/sms") {
      messages.length = 0;
      json(200, { deleted: true });
      return true;
    }
    return false;
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "POST" && url.pathname === "/gateway") {
      gateway(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    if (req.method === "GET" && url.pathname === "/") {
      res.writeHead(303, { location: "/sms" });
      return res.end();
    }
    if (!handle(req, res, url)) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "Not found" }));
    }
  });
  const actualPort = await new Promise((resolve, reject) => {
    const at = (p, retry) => {
      server.once("error", (e) => (retry && e.code === "EADDRINUSE" ? at(0, false) : reject(e)));
      server.listen(p, "127.0.0.1", () => resolve(server.address().port));
    };
    at(port, true);
  });
  return {
    port: actualPort,
    gatewayUrl: `http://127.0.0.1:${actualPort}/gateway`,
    messages,
    handle,
    table: (limit) => smsTable(messages, limit),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r()));
    },
  };
}
