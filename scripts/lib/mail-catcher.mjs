// Local mail catcher for `npm start`: an SMTP server on 127.0.0.1 that keeps every message in
// memory, a web inbox (HTML) and a JSON API on localhost. Built from `smtp-server` + `mailparser`
// (see docs/decisions.md, "Local mail catcher").
//
//   GET    /                      inbox page (newest first)
//   GET    /messages/{id}         one message (text, HTML in a sandboxed frame, headers)
//   GET    /api/messages          [{id, receivedAt, envelope:{from,to}, from, to, subject, text, html, headers, messageId}]
//                                 optional filters ?to=addr&subject=substring
//   GET    /api/messages/{id}     one message; /api/messages/{id}/raw the RFC 5322 source
//   GET    /api/count             {count} (cheap, for benchmarks polling)
//   DELETE /api/messages          empties the inbox
import { createServer } from "node:http";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";

const MAX_MESSAGES = 50_000;
const MAX_SIZE = 10 * 1024 * 1024;

const esc = (s) =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );

/** Header lines as a plain object: lower-case name -> unfolded value (repeated headers joined by ", "). */
function headerObject(lines) {
  const out = {};
  for (const { key, line } of lines ?? []) {
    const value = line
      .slice(line.indexOf(":") + 1)
      .replace(/\r?\n[ \t]+/g, " ")
      .trim();
    out[key] = out[key] === undefined ? value : `${out[key]}, ${value}`;
  }
  return out;
}

function addressText(a) {
  if (!a) return "";
  return Array.isArray(a) ? a.map((x) => x.text).join(", ") : a.text;
}

/** A received message as the catcher (and the tests' SMTP sink) report it. */
export async function parseMessage(raw, envelope) {
  const parsed = await simpleParser(raw);
  return {
    envelope,
    from: addressText(parsed.from),
    to: addressText(parsed.to),
    subject: parsed.subject ?? "",
    text: parsed.text ?? "",
    html: typeof parsed.html === "string" ? parsed.html : "",
    messageId: parsed.messageId ?? "",
    headers: headerObject(parsed.headerLines),
  };
}

/** The SMTP session's envelope: `{from, to: [...]}`. */
export function envelopeOf(session) {
  return {
    from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
    to: session.envelope.rcptTo.map((r) => r.address),
  };
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve(server.address().port);
    });
  });
}

function inboxPage(messages, sms) {
  const rows = messages
    .slice()
    .reverse()
    .slice(0, 500)
    .map(
      (m) =>
        `<tr><td>${esc(m.receivedAt)}</td><td>${esc(m.from)}</td><td>${esc(m.envelope.to.join(", "))}</td><td><a href="/messages/${m.id}">${esc(m.subject || "(no subject)")}</a></td></tr>`,
    )
    .join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Varsel inbox (${messages.length})</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4em;text-align:left}pre{margin:0;white-space:pre-wrap;font:inherit}</style></head>
<body><h1>Varsel local inbox</h1><p>${messages.length} message(s). <a href="/">Refresh</a> · <a href="/api/messages">JSON</a>${sms ? ` · <a href="/sms">SMS (${sms.messages.length})</a>` : ""}</p>
<form method="post" action="/clear"><button>Delete all</button></form>
<table><thead><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th></tr></thead><tbody>
${rows}
</tbody></table>${sms ? `<h2>SMS (${sms.messages.length}) <small><a href="/sms">all</a></small></h2>${sms.table(50)}` : ""}</body></html>`;
}

function messagePage(m) {
  const headers = Object.entries(m.headers)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join("");
  const html = m.html
    ? `<h2>HTML</h2><iframe sandbox="" style="width:100%;height:30em;border:1px solid #ccc" srcdoc="${esc(m.html)}"></iframe>`
    : "";
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(m.subject)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}pre{white-space:pre-wrap;background:#f6f6f6;padding:1em}th{text-align:left;padding-right:1em;vertical-align:top}</style></head>
<body><p><a href="/">← Inbox</a> · <a href="/api/messages/${m.id}">JSON</a> · <a href="/api/messages/${m.id}/raw">Source</a></p>
<h1>${esc(m.subject || "(no subject)")}</h1>
<p><b>From</b> ${esc(m.from)}<br><b>To</b> ${esc(m.envelope.to.join(", "))}<br><b>Received</b> ${esc(m.receivedAt)}</p>
${m.text ? `<h2>Text</h2><pre>${esc(m.text)}</pre>` : ""}${html}
<h2>Headers</h2><table>${headers}</table></body></html>`;
}

/** `sms`: the SMS catcher (scripts/lib/sms-catcher.mjs), whose pages this inbox serves and links to. */
export async function startMailCatcher({ smtpPort = 1025, webPort = 1080, sms = null } = {}) {
  const messages = [];
  const raws = new Map();
  let nextId = 1;
  const pending = new Set();

  const smtp = new SMTPServer({
    name: "varsel-mail-catcher",
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    size: MAX_SIZE,
    logger: false,
    banner: "Varsel local mail catcher",
    onAuth(auth, _session, cb) {
      cb(null, { user: auth.username ?? "local" });
    },
    onData(stream, session, cb) {
      const chunks = [];
      let size = 0;
      stream.on("data", (c) => {
        size += c.length;
        chunks.push(c);
      });
      stream.on("end", () => {
        if (stream.sizeExceeded) {
          const err = new Error("Message exceeds the size limit");
          err.responseCode = 552;
          return cb(err);
        }
        const raw = Buffer.concat(chunks, size);
        const envelope = envelopeOf(session);
        const id = String(nextId++);
        // Accept first (what a sender measures), parse afterwards.
        cb(null, `Queued as ${id}`);
        const p = parseMessage(raw, envelope)
          .then((parsed) => {
            messages.push({ id, receivedAt: new Date().toISOString(), ...parsed, size });
            raws.set(id, raw);
            while (messages.length > MAX_MESSAGES) raws.delete(messages.shift().id);
          })
          .catch(() => {})
          .finally(() => pending.delete(p));
        pending.add(p);
      });
    },
  });
  smtp.on("error", () => {});

  const web = createServer(async (req, res) => {
    // Let accepted-but-unparsed messages land first, so a client that just saw 250 finds its mail.
    await Promise.all([...pending]);
    const url = new URL(req.url ?? "/", "http://localhost");
    const send = (status, type, body) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    const json = (status, body) => send(status, "application/json; charset=utf-8", JSON.stringify(body));
    const byId = (id) => messages.find((m) => m.id === id);
    let m;
    if (req.method === "GET" && url.pathname === "/")
      return send(200, "text/html; charset=utf-8", inboxPage(messages, sms));
    if (sms?.handle(req, res, url)) return;
    if (req.method === "GET" && (m = url.pathname.match(/^\/messages\/(\d+)$/))) {
      const msg = byId(m[1]);
      return msg ? send(200, "text/html; charset=utf-8", messagePage(msg)) : send(404, "text/plain", "No such message");
    }
    if (req.method === "POST" && url.pathname === "/clear") {
      messages.length = 0;
      raws.clear();
      res.writeHead(303, { location: "/" });
      return res.end();
    }
    if (req.method === "GET" && url.pathname === "/api/count") return json(200, { count: messages.length });
    if (req.method === "GET" && url.pathname === "/api/messages") {
      const to = url.searchParams.get("to")?.toLowerCase();
      const subject = url.searchParams.get("subject");
      return json(
        200,
        messages.filter(
          (x) =>
            (!to || x.envelope.to.some((a) => a.toLowerCase() === to)) && (!subject || x.subject.includes(subject)),
        ),
      );
    }
    if (req.method === "DELETE" && url.pathname === "/api/messages") {
      messages.length = 0;
      raws.clear();
      return json(200, { deleted: true });
    }
    if (req.method === "GET" && (m = url.pathname.match(/^\/api\/messages\/(\d+)(\/raw)?$/))) {
      const msg = byId(m[1]);
      if (!msg) return json(404, { error: "No such message" });
      return m[2] ? send(200, "message/rfc822", raws.get(msg.id)) : json(200, msg);
    }
    return json(404, { error: "Not found" });
  });

  const actualSmtp = await listen(smtp.server, smtpPort);
  const actualWeb = await listen(web, webPort);
  return {
    smtpPort: actualSmtp,
    webPort: actualWeb,
    messages,
    close: async () => {
      await new Promise((r) => smtp.close(r));
      web.closeAllConnections?.();
      await new Promise((r) => web.close(r));
    },
  };
}
