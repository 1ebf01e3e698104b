/**
 * RFC 5322 / MIME message building for the SMTP provider. Pure: the date and Message-ID are
 * passed in. Bodies are UTF-8, base64-encoded in 76-character lines; non-ASCII header text
 * uses RFC 2047 encoded words.
 */
import { isValidEmail } from "../../lib/email-address";
import { base64, sha256Hex } from "../../lib/encoding";
import type { OutgoingEmail } from "../provider";

export const IDEMPOTENCY_HEADER = "X-Idempotency-Key";

/** A bare address, by the one grammar (src/lib/email-address.ts): nothing that can break a command or header. */
export function isPlainAddress(value: string): boolean {
  return isValidEmail(value);
}

/** `Varsel <noreply@x.no>` or `noreply@x.no` -> display name and address; null if malformed. */
export function parseMailbox(value: string): { name: string; address: string } | null {
  const m = value.trim().match(/^(.*?)\s*<([^<>]+)>$/);
  const name = m ? m[1]!.replace(/^"|"$/g, "").trim() : "";
  const address = (m ? m[2]! : value).trim();
  return isPlainAddress(address) && !/[\r\n]/.test(name) ? { name, address } : null;
}

const utf8 = new TextEncoder();

function isPrintableAscii(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

/**
 * RFC 2047 B-encoding, split into encoded words of at most 75 characters without cutting a
 * UTF-8 sequence, folded onto continuation lines. Printable ASCII is left alone.
 */
export function encodeHeaderText(text: string): string {
  if (isPrintableAscii(text) && text.length <= 900) return text;
  const words: string[] = [];
  let chunk = "";
  let bytes = 0;
  for (const ch of text.replace(/[\r\n]+/g, " ")) {
    const n = utf8.encode(ch).length;
    if (bytes + n > 45) {
      words.push(chunk);
      chunk = "";
      bytes = 0;
    }
    chunk += ch;
    bytes += n;
  }
  if (chunk || words.length === 0) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${base64(utf8.encode(w))}?=`).join("\r\n ");
}

function mailboxHeader(m: { name: string; address: string }): string {
  if (!m.name) return m.address;
  const name = isPrintableAscii(m.name) ? `"${m.name.replace(/["\\]/g, "\\$&")}"` : encodeHeaderText(m.name);
  return `${name} <${m.address}>`;
}

/** RFC 5322 date: `Sun, 22 Nov 2026 10:57:29 +0000`. */
export function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, "+0000");
}

/** Base64 in lines of 76 characters (RFC 2045). */
function base64Body(text: string): string {
  const b64 = base64(utf8.encode(text.replace(/\r?\n/g, "\r\n")));
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join("\r\n");
}

/** A header value that can be sent as is, or null when it must not be (non-ASCII, CR/LF). */
function safeHeaderValue(value: string): string | null {
  return isPrintableAscii(value) && value.length <= 900 ? value : null;
}

export interface BuiltMessage {
  messageId: string;
  /** The whole message with CRLF line ends, not yet dot-stuffed. */
  data: string;
}

export function buildMessage(
  mail: OutgoingEmail,
  from: { name: string; address: string },
  messageId: string,
  date: Date,
): BuiltMessage {
  const headers = [
    `From: ${mailboxHeader(from)}`,
    `To: ${mail.to}`,
    `Subject: ${encodeHeaderText(mail.subject)}`,
    `Date: ${rfc5322Date(date)}`,
    `Message-ID: ${messageId}`,
  ];
  const key = safeHeaderValue(mail.idempotencyKey);
  if (key) headers.push(`${IDEMPOTENCY_HEADER}: ${key}`);
  headers.push(
    "MIME-Version: 1.0",
    `Content-Type: ${mail.contentType === "Html" ? "text/html" : "text/plain"}; charset=utf-8`,
    "Content-Transfer-Encoding: base64",
  );
  return { messageId, data: `${headers.join("\r\n")}\r\n\r\n${base64Body(mail.body)}\r\n` };
}

/** Dot-stuffing (RFC 5321 4.5.2) and the terminating `.` line. */
export function dataSection(message: string): string {
  const body = message.endsWith("\r\n") ? message : `${message}\r\n`;
  return body.replace(/^\./gm, "..") + ".\r\n";
}

/**
 * A Message-ID derived from the idempotency key, so a retried notification carries the same id
 * (receivers and our status tracking see one message). Keys that are not simple tokens are hashed.
 */
export async function messageIdFor(idempotencyKey: string, fromAddress: string): Promise<string> {
  const domain = fromAddress.slice(fromAddress.lastIndexOf("@") + 1);
  const local = /^[A-Za-z0-9_-]{1,128}$/.test(idempotencyKey) ? idempotencyKey : await sha256Hex(idempotencyKey);
  return `<varsel.${local}@${domain}>`;
}
