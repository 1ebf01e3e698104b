/**
 * A minimal SMTP client session (RFC 5321) over `cloudflare:sockets`: greeting, EHLO (HELO
 * fallback), optional STARTTLS, AUTH PLAIN/LOGIN, then any number of MAIL/RCPT/DATA
 * transactions on the same connection, and QUIT.
 */
import { connect } from "cloudflare:sockets";
import { base64 } from "../../lib/encoding";

export interface SmtpConfig {
  host: string;
  port: number;
  /** Upgrade with STARTTLS; the server must offer it. */
  startTls: boolean;
  /** TLS from the first byte (submission on 465); STARTTLS is then not used. */
  implicitTls?: boolean;
  user?: string;
  password?: string;
  /** Name sent in EHLO. */
  clientName: string;
  timeoutMs: number;
}

export interface Reply {
  code: number;
  text: string;
}

/** The server answered with an error reply at `stage`. */
export class SmtpReplyError extends Error {
  constructor(
    readonly stage: string,
    readonly reply: Reply,
  ) {
    super(`${stage}: ${reply.code} ${reply.text}`);
  }
}

/** The connection failed, closed, timed out or the server spoke nonsense: always worth retrying. */
export class SmtpConnectionError extends Error {}

const encoder = new TextEncoder();

export class SmtpSession {
  private socket: Socket;
  private reader!: ReadableStreamDefaultReader<Uint8Array>;
  private writer!: WritableStreamDefaultWriter<Uint8Array>;
  private decoder = new TextDecoder();
  private buffer = "";
  private extensions = new Map<string, string>();
  closed = false;

  private constructor(
    private readonly config: SmtpConfig,
    socket: Socket,
  ) {
    this.socket = socket;
    this.attach();
  }

  /** Connects, reads the greeting, says EHLO, upgrades and authenticates as configured. */
  static async open(config: SmtpConfig): Promise<SmtpSession> {
    let socket: Socket;
    try {
      socket = connect(
        { hostname: config.host, port: config.port },
        { secureTransport: config.implicitTls ? "on" : config.startTls ? "starttls" : "off", allowHalfOpen: false },
      );
    } catch (e) {
      throw new SmtpConnectionError(`connect to ${config.host}:${config.port}: ${(e as Error).message}`);
    }
    const session = new SmtpSession(config, socket);
    try {
      await socket.opened.catch((e: Error) => {
        throw new SmtpConnectionError(`connect to ${config.host}:${config.port}: ${e.message}`);
      });
      await session.expect("greeting", 220);
      await session.hello();
      if (config.startTls && !config.implicitTls) await session.upgrade();
      if (config.user) await session.authenticate(config.user, config.password ?? "");
      return session;
    } catch (e) {
      await session.abort();
      throw e;
    }
  }

  private attach(): void {
    // Failures surface through reads and writes; keep these promises from being reported as unhandled.
    this.socket.opened.catch(() => {});
    this.socket.closed.catch(() => {});
    this.reader = this.socket.readable.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    this.writer = this.socket.writable.getWriter() as WritableStreamDefaultWriter<Uint8Array>;
    this.reader.closed.catch(() => {});
    this.writer.closed.catch(() => {});
    this.writer.ready.catch(() => {});
  }

  private async hello(): Promise<void> {
    const ehlo = await this.command("EHLO", `EHLO ${this.config.clientName}`);
    if (ehlo.code === 250) {
      this.extensions.clear();
      for (const line of ehlo.text.split("\n").slice(1)) {
        const [kw, ...rest] = line.trim().split(" ");
        if (kw) this.extensions.set(kw.toUpperCase(), rest.join(" ").toUpperCase());
      }
      return;
    }
    if (ehlo.code >= 500) {
      await this.expectCommand("HELO", `HELO ${this.config.clientName}`, 250);
      this.extensions.clear();
      return;
    }
    throw new SmtpReplyError("EHLO", ehlo);
  }

  private async upgrade(): Promise<void> {
    if (!this.extensions.has("STARTTLS"))
      throw new SmtpConnectionError(`${this.config.host} does not offer STARTTLS, but SMTP_STARTTLS is on`);
    await this.expectCommand("STARTTLS", "STARTTLS", 220);
    this.reader.releaseLock();
    this.writer.releaseLock();
    this.socket = this.socket.startTls({ expectedServerHostname: this.config.host });
    this.attach();
    this.buffer = "";
    await this.hello();
  }

  private async authenticate(user: string, password: string): Promise<void> {
    const mechanisms = (this.extensions.get("AUTH") ?? "").split(" ");
    const b64 = (s: string) => base64(encoder.encode(s));
    if (mechanisms.includes("PLAIN") || !mechanisms.includes("LOGIN")) {
      await this.expectCommand("AUTH", `AUTH PLAIN ${b64(`\0${user}\0${password}`)}`, 235, "AUTH PLAIN");
      return;
    }
    await this.expectCommand("AUTH", "AUTH LOGIN", 334);
    await this.expectCommand("AUTH", b64(user), 334, "AUTH LOGIN user");
    await this.expectCommand("AUTH", b64(password), 235, "AUTH LOGIN password");
  }

  /** One transaction. Resolves with the server's final reply to the data; after an error reply the session is reset for reuse. */
  async sendMail(from: string, to: string, data: string): Promise<Reply> {
    try {
      if (this.extensions.has("PIPELINING")) await this.pipelinedEnvelope(from, to);
      else {
        await this.expectCommand("MAIL FROM", `MAIL FROM:<${from}>`, 250);
        const rcpt = await this.command("RCPT TO", `RCPT TO:<${to}>`);
        if (rcpt.code !== 250 && rcpt.code !== 251) throw new SmtpReplyError("RCPT TO", rcpt);
        await this.expectCommand("DATA", "DATA", 354);
      }
      await this.write(data);
      const done = await this.readReply("DATA");
      if (done.code !== 250) throw new SmtpReplyError("DATA", done);
      return done;
    } catch (e) {
      if (e instanceof SmtpReplyError && !this.closed) await this.reset();
      throw e;
    }
  }

  /** RFC 2920: MAIL, RCPT and DATA in one write, then their three replies in order. */
  private async pipelinedEnvelope(from: string, to: string): Promise<void> {
    await this.write(`MAIL FROM:<${from}>\r\nRCPT TO:<${to}>\r\nDATA\r\n`);
    const mail = await this.readReply("MAIL FROM");
    const rcpt = await this.readReply("RCPT TO");
    const data = await this.readReply("DATA");
    if (data.code === 354 && (mail.code !== 250 || (rcpt.code !== 250 && rcpt.code !== 251))) {
      // A server that opened DATA despite a refusal: close the empty message before reporting.
      await this.write(".\r\n");
      await this.readReply("DATA");
    }
    if (mail.code !== 250) throw new SmtpReplyError("MAIL FROM", mail);
    if (rcpt.code !== 250 && rcpt.code !== 251) throw new SmtpReplyError("RCPT TO", rcpt);
    if (data.code !== 354) throw new SmtpReplyError("DATA", data);
  }

  /** Abandons a failed transaction so the connection can be reused. */
  private async reset(): Promise<void> {
    const r = await this.command("RSET", "RSET").catch(() => null);
    if (!r || r.code !== 250) await this.abort();
  }

  async quit(): Promise<void> {
    if (this.closed) return;
    try {
      await this.write("QUIT\r\n");
      await this.readReply("QUIT");
    } catch {
      // the server may hang up first
    }
    await this.abort();
  }

  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.socket.close();
    } catch {
      // already gone
    }
  }

  private async expect(stage: string, code: number): Promise<Reply> {
    const r = await this.readReply(stage);
    if (r.code !== code) throw new SmtpReplyError(stage, r);
    return r;
  }

  private async expectCommand(stage: string, line: string, code: number, label = stage): Promise<Reply> {
    const r = await this.command(stage, line);
    if (r.code !== code) throw new SmtpReplyError(label, r);
    return r;
  }

  private async command(stage: string, line: string): Promise<Reply> {
    await this.write(`${line}\r\n`);
    return this.readReply(stage);
  }

  private async write(text: string): Promise<void> {
    try {
      await this.writer.write(encoder.encode(text));
    } catch (e) {
      this.closed = true;
      throw new SmtpConnectionError(`write failed: ${(e as Error).message}`);
    }
  }

  /** Reads one (possibly multi-line) reply: `250-first`, `250-second`, `250 last`. */
  private async readReply(stage: string): Promise<Reply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.readLine(stage);
      const m = line.match(/^(\d{3})([ -]?)(.*)$/);
      if (!m) throw new SmtpConnectionError(`${stage}: unexpected reply line ${JSON.stringify(line.slice(0, 100))}`);
      lines.push(m[3]!);
      if (m[2] !== "-") return { code: Number(m[1]), text: lines.join("\n") };
      if (lines.length > 1000) throw new SmtpConnectionError(`${stage}: reply too long`);
    }
  }

  private async readLine(stage: string): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SmtpConnectionError(`${stage}: no reply within ${this.config.timeoutMs} ms`)),
        this.config.timeoutMs,
      );
    });
    try {
      for (;;) {
        const at = this.buffer.indexOf("\n");
        if (at >= 0) {
          const line = this.buffer.slice(0, at).replace(/\r$/, "");
          this.buffer = this.buffer.slice(at + 1);
          return line;
        }
        if (this.buffer.length > 64 * 1024) throw new SmtpConnectionError(`${stage}: reply line too long`);
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await Promise.race([this.reader.read(), timeout]);
        } catch (e) {
          if (e instanceof SmtpConnectionError) throw e;
          throw new SmtpConnectionError(`${stage}: ${(e as Error).message}`);
        }
        if (chunk.done) throw new SmtpConnectionError(`${stage}: connection closed by the server`);
        this.buffer += this.decoder.decode(chunk.value, { stream: true });
      }
    } catch (e) {
      await this.abort();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}
