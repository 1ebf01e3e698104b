/**
 * The Link Mobility PSWin XML gateway protocol (reference §6.2, §6.3), pure: the send session,
 * the gateway's reply, delivery reports and the receiver's replies. Built and parsed with
 * fast-xml-parser; text is escaped by the builder, never concatenated.
 */
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import type { SmsStatus } from "./model";

export interface GatewayMessage {
  /** Session-local message id (1, 2, …). */
  id: string;
  text: string;
  sender: string;
  receiver: string;
  /** Time to live in minutes. */
  ttlMinutes: number;
}

const builder = new XMLBuilder({ format: false, suppressEmptyNode: false });
const parser = new XMLParser({ parseTagValue: false, trimValues: true, isArray: (name) => name === "MSG" });

/** The session posted to the gateway: declaration iso-8859-1 as PSWin's client writes it (body sent as UTF-8). */
export function buildSession(user: string, password: string, messages: GatewayMessage[]): string {
  const MSG = messages.map((m) => ({
    ID: m.id,
    TEXT: m.text,
    SND: m.sender,
    RCV: m.receiver,
    TTL: String(Math.max(0, Math.round(m.ttlMinutes))),
  }));
  return `<?xml version="1.0" encoding="iso-8859-1"?>${builder.build({ SESSION: { CLIENT: user, PW: password, MSGLST: { MSG } } })}`;
}

export interface MessageResult {
  id: string;
  ok: boolean;
  info: string;
  ref: string | null;
}

export interface SessionReply {
  logonOk: boolean;
  reason: string;
  messages: MessageResult[];
}

function text(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "object") return text((v as Record<string, unknown>)["#text"]);
  return String(v).trim();
}

/** The gateway's answer to a session; null when it is not a PSWin reply at all. */
export function parseSessionReply(xml: string): SessionReply | null {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch {
    return null;
  }
  const session = doc.SESSION as Record<string, unknown> | undefined;
  if (!session || typeof session !== "object") return null;
  const list = ((session.MSGLST as Record<string, unknown> | undefined)?.MSG ?? []) as Record<string, unknown>[];
  return {
    logonOk: text(session.LOGON).toUpperCase() === "OK",
    reason: text(session.REASON),
    messages: list.map((m) => ({
      id: text(m.ID),
      ok: text(m.STATUS).toUpperCase() === "OK",
      info: text(m.INFO),
      ref: text(m.REF) || null,
    })),
  };
}

/** What a message's result means for its notification (reference §6.2, Altinn's SmsClient). */
export function sendStatusOf(
  r: MessageResult | undefined,
  logon: SessionReply,
): Extract<SmsStatus, "Accepted" | "Failed" | "Failed_InvalidRecipient"> {
  if (!logon.logonOk || !r) return "Failed";
  if (r.ok) return "Accepted";
  return r.info.startsWith("Invalid RCV") ? "Failed_InvalidRecipient" : "Failed";
}

// ---- delivery reports (reference §6.3) --------------------------------------------------------

export interface DeliveryReport {
  id: string;
  ref: string | null;
  receiver: string;
  state: string;
  deliveryTime: string | null;
}

export type ReportParse = { ok: true; reports: DeliveryReport[] } | { ok: false; error: string };

/** PSWin's DrParser: MSGLST/MSG with RCV and STATE mandatory; REF and DELIVERYTIME optional. */
export function parseDeliveryReports(body: string): ReportParse {
  if (!body.trim()) return { ok: false, error: "Error: Content is empty" };
  let doc: Record<string, unknown>;
  try {
    doc = new XMLParser({ parseTagValue: false, trimValues: true, isArray: (n) => n === "MSG" }).parse(
      body,
      true,
    ) as Record<string, unknown>;
  } catch (e) {
    return { ok: false, error: `XML is not well formed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const list = ((doc.MSGLST as Record<string, unknown> | undefined)?.MSG ?? []) as Record<string, unknown>[];
  const reports: DeliveryReport[] = [];
  for (const m of list) {
    if (text(m.RCV) === "") return { ok: false, error: "Missing element RCV under MSGLST/MSG" };
    if (text(m.STATE) === "") return { ok: false, error: "Missing element STATE under MSGLST/MSG" };
    reports.push({
      id: text(m.ID),
      ref: text(m.REF) || null,
      receiver: text(m.RCV),
      state: text(m.STATE).toUpperCase(),
      deliveryTime: text(m.DELIVERYTIME) || null,
    });
  }
  return { ok: true, reports };
}

const STATE_MAP: Record<string, SmsStatus> = {
  DELIVRD: "Delivered",
  EXPIRED: "Failed_Expired",
  DELETED: "Failed_Deleted",
  UNDELIV: "Failed_Undelivered",
  REJECTD: "Failed_Rejected",
  BARRED: "Failed_BarredReceiver",
  FAILED: "Failed",
  NULL: "Failed",
  UNKNOWN: "Failed",
};

/** A report's STATE as a status; null for BARREDA and ZEROBAL, which Altinn does not handle (answered 500). */
export function reportStatus(state: string): SmsStatus | null {
  if (state === "BARREDA" || state === "ZEROBAL") return null;
  return STATE_MAP[state] ?? "Failed";
}

/** The receiver's 200 answer: one OK per reported message. */
export function reportReply(ids: string[]): string {
  const MSG = (ids.length ? ids : ["1"]).map((id) => ({ ID: id, STATUS: "OK" }));
  return `<?xml version="1.0"?>${builder.build({ MSGLST: { MSG } })}`;
}
