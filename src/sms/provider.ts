/**
 * SMS providers behind one interface (SPEC §5.7), chosen by SMS_PROVIDER. Today: the Link Mobility
 * PSWin XML gateway (`linkmobility`, the default), which the local SMS catcher also speaks.
 */
import type { Env } from "../env";
import { readBounded } from "../lib/bounded-read";
import { errorText } from "../lib/errors";
import { buildSession, parseSessionReply, sendStatusOf, type GatewayMessage } from "./xml";

export interface OutgoingSms {
  /** The notification id; results come back in the same order. */
  id: string;
  text: string;
  sender: string;
  receiver: string;
  ttlMinutes: number;
}

export type SmsSendResult =
  | { status: "Accepted"; gatewayReference: string }
  | { status: "Failed" | "Failed_InvalidRecipient"; error: string }
  /** The gateway could not be reached or answered no usable reply: try again later. */
  | { status: "Transient"; error: string };

export interface SmsProvider {
  readonly name: string;
  /** One result per message, in order. Never throws. */
  send(messages: OutgoingSms[]): Promise<SmsSendResult[]>;
}

/** The gateway gets this long to answer a session. */
export const GATEWAY_TIMEOUT_MS = 30_000;
/** At most this much of the gateway's reply is read (a session of 100 answers is about 20 KB). */
export const MAX_GATEWAY_REPLY_BYTES = 256 * 1024;

export function linkMobilityProvider(
  url: string,
  user: string,
  password: string,
  fetcher: typeof fetch = fetch,
): SmsProvider {
  return {
    name: "linkmobility",
    async send(messages) {
      if (!messages.length) return [];
      const wire: GatewayMessage[] = messages.map((m, i) => ({
        id: String(i + 1),
        text: m.text,
        sender: m.sender,
        receiver: m.receiver,
        ttlMinutes: m.ttlMinutes,
      }));
      const transient = (error: string): SmsSendResult[] => messages.map(() => ({ status: "Transient", error }));
      let reply: string;
      try {
        const res = await fetcher(url, {
          method: "POST",
          headers: { "content-type": "text/xml; charset=utf-8" },
          body: buildSession(user, password, wire),
          signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS),
        });
        const read = await readBounded(res, MAX_GATEWAY_REPLY_BYTES);
        if (read.truncated) return transient(`gateway reply over ${MAX_GATEWAY_REPLY_BYTES} bytes`);
        reply = read.text;
        if (!res.ok) return transient(`gateway answered HTTP ${res.status}`);
      } catch (e) {
        return transient(`gateway unreachable: ${errorText(e)}`);
      }
      const parsed = parseSessionReply(reply);
      if (!parsed) return transient("gateway reply is not a PSWin session reply");
      const byId = new Map(parsed.messages.map((r) => [r.id, r]));
      return wire.map((w): SmsSendResult => {
        const r = byId.get(w.id);
        const status = sendStatusOf(r, parsed);
        if (status === "Accepted" && r?.ref) return { status, gatewayReference: r.ref };
        if (status === "Accepted")
          return { status: "Failed", error: "gateway accepted the message without a reference" };
        const error = parsed.logonOk ? (r?.info ?? "no result for this message") : `logon failed: ${parsed.reason}`;
        return { status, error };
      });
    },
  };
}

/** The configured provider; null when SMS_GATEWAY_URL is not set (SMS then wait, nothing is lost). */
export function smsProvider(env: Env): SmsProvider | null {
  const kind = (env.SMS_PROVIDER || "linkmobility").toLowerCase();
  if (kind !== "linkmobility" || !env.SMS_GATEWAY_URL) return null;
  return linkMobilityProvider(env.SMS_GATEWAY_URL, env.SMS_GATEWAY_USER ?? "", env.SMS_GATEWAY_PASSWORD ?? "");
}
