/// <reference types="node" />
/**
 * A real SMTP server on loopback for Node-side tests (e2e project), built from `smtp-server`;
 * every accepted message is parsed with `mailparser`.
 *
 * Usage:
 *   const smtp = await startSmtpSink();                       // { host: "127.0.0.1", port }
 *   const varsel = await startVarsel({ SMTP_HOST: smtp.host, SMTP_PORT: String(smtp.port) });
 *   ... order something ...
 *   const [mail] = await smtp.waitForMessages(1);             // mail.subject, mail.text, mail.html,
 *                                                             // mail.headers["x-idempotency-key"], mail.envelope.to
 *   smtp.setReply((rcpt) => rcpt.startsWith("down") ? { code: 451, message: "try later" } : null);
 *   await smtp.close();
 *
 * Options: `auth: {user, password}` requires AUTH; `pipelining: false` hides PIPELINING from EHLO.
 * `setReply` decides per recipient (RCPT TO) what the server answers: null = accept, otherwise
 * an SMTP error code (4xx transient, 5xx permanent). `down()` / `up()` stop and restart the
 * listener on the same port to simulate a provider outage.
 */
import type { Server } from "node:net";
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";
// @ts-expect-error: plain ESM script without types
import { envelopeOf, parseMessage } from "../../scripts/lib/mail-catcher.mjs";

export interface CaughtMail {
  envelope: { from: string; to: string[] };
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** Lower-case header name -> unfolded raw value (encoded words left as sent). */
  headers: Record<string, string>;
  raw: string;
}

export type RcptReply = (address: string) => { code: number; message: string } | null;

export interface SmtpSink {
  host: string;
  port: number;
  messages: CaughtMail[];
  /** Resolves once at least `n` messages arrived (polls; rejects after `timeoutMs`). */
  waitForMessages(n: number, timeoutMs?: number): Promise<CaughtMail[]>;
  setReply(reply: RcptReply | null): void;
  /** Closes the listener (connections are refused) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpSink(
  opts: { auth?: { user: string; password: string }; pipelining?: boolean } = {},
): Promise<SmtpSink> {
  const messages: CaughtMail[] = [];
  let reply: RcptReply | null = null;
  const makeServer = () =>
    new SMTPServer({
      authOptional: !opts.auth,
      disabledCommands: ["STARTTLS"],
      hidePIPELINING: opts.pipelining === false,
      logger: false,
      onAuth(auth, _s, cb) {
        if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.password)
          cb(null, { user: auth.username });
        else cb(Object.assign(new Error("Invalid credentials"), { responseCode: 535 }));
      },
      onRcptTo(address, _s, cb) {
        const r = reply?.(address.address);
        cb(r ? Object.assign(new Error(r.message), { responseCode: r.code }) : null);
      },
      onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (e?: Error | null) => void) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", async () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          const parsed = (await parseMessage(raw, envelopeOf(session))) as Omit<CaughtMail, "raw">;
          messages.push({ ...parsed, raw });
          cb(null);
        });
      },
    });
  let server = makeServer();
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const net = server.server as Server;
      net.once("error", reject);
      net.listen(port, "127.0.0.1", () => resolve((net.address() as { port: number }).port));
    });
  const port = await listen(0);
  return {
    host: "127.0.0.1",
    port,
    messages,
    async waitForMessages(n, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} messages, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return messages;
    },
    setReply(r) {
      reply = r;
    },
    async down() {
      await new Promise<void>((r) => server.close(() => r()));
    },
    async up() {
      server = makeServer();
      await listen(port);
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
