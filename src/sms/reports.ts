/**
 * Delivery reports from the PSWin gateway (SPEC §5.7, reference §6.3): HTTP Basic against
 * SMS_REPORT_USER / SMS_REPORT_PASSWORD, the body decoded with its Content-Type charset (default
 * ISO-8859-1), each report mapped onto the SMS by its gateway reference. Answers in PSWin's way.
 */
import type { Env } from "../env";
import { publishStatusEvents } from "../notifications/status-events";
import { readBoundedBytes } from "../lib/bounded-read";
import { unknownReportAction } from "../notifications/webhook-receipts";
import { completeSmsOrders, applySmsReport } from "./queries";
import { parseDeliveryReports, reportReply, reportStatus } from "./xml";

export const MAX_REPORT_BYTES = 1_000_000;

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Does the request carry the configured Basic credentials? Never true when none are configured. */
export function reportAuthorized(
  header: string | null,
  user: string | undefined,
  password: string | undefined,
): boolean {
  if (!user || !password || !header?.toLowerCase().startsWith("basic ")) return false;
  let given: string;
  try {
    given = atob(header.slice(6).trim());
  } catch {
    return false;
  }
  const enc = new TextEncoder();
  return equalBytes(enc.encode(given), enc.encode(`${user}:${password}`));
}

/** The body as text in the charset its Content-Type names (PSWin's receiver defaults to ISO-8859-1). */
export function decodeReportBody(bytes: Uint8Array, contentType: string | null): string {
  const charset = /charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType ?? "")?.[1] ?? "iso-8859-1";
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder("iso-8859-1").decode(bytes);
  }
}

const plain = (status: number, text: string) =>
  new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

export async function handleDeliveryReports(req: Request, env: Env, now: Date): Promise<Response> {
  if (!reportAuthorized(req.headers.get("authorization"), env.SMS_REPORT_USER, env.SMS_REPORT_PASSWORD)) {
    return new Response("Unauthorized", {
      status: 401,
      headers: { "www-authenticate": 'Basic realm="sms-reports"', "content-type": "text/plain; charset=utf-8" },
    });
  }
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > MAX_REPORT_BYTES) return plain(413, "Error: Content is too large");
  // Streamed and bounded: a chunked body without content-length is never read whole.
  const { bytes, truncated } = await readBoundedBytes(req.body, MAX_REPORT_BYTES);
  if (truncated) return plain(413, "Error: Content is too large");
  const parsed = parseDeliveryReports(decodeReportBody(bytes, req.headers.get("content-type")));
  if (!parsed.ok) return plain(400, parsed.error);
  const orders: string[] = [];
  let askAgain: string | null = null;
  for (const r of parsed.reports) {
    const status = reportStatus(r.state);
    if (!status) return plain(500, `Unhandled delivery report state '${r.state}'.`);
    if (!r.ref) continue; // nothing to match it with
    const applied = await applySmsReport(env, r.ref, status, now);
    if (applied.orderId) orders.push(applied.orderId);
    if (applied.outcome !== "unknown") continue;
    // A report can overtake the consumer storing the gateway's reference (seconds): asked again (503)
    // only within 10 minutes of the report's time, like the e-mail webhook; later, or without a
    // readable time, it is not ours: accepted and logged. Every other report of the batch is applied.
    if (unknownReportAction(reportTime(r.deliveryTime), now) === "retry") askAgain ??= r.ref;
    else console.warn(JSON.stringify({ msg: "SMS report for an unknown reference dropped", ref: r.ref.slice(0, 100) }));
  }
  await completeSmsOrders(env, orders, now);
  await publishStatusEvents(env, now);
  if (askAgain !== null)
    return plain(503, `No SMS with gateway reference '${askAgain.slice(0, 100)}' yet; send the report again later.`);
  return new Response(reportReply(parsed.reports.map((r) => r.id || "1")), {
    status: 200,
    headers: { "content-type": "application/xml; charset=utf-8" },
  });
}

/** A report's DELIVERYTIME as an ISO time ("" when absent or unreadable): ISO 8601, or PSWin's `yyyy.MM.dd HH:mm:ss` (UTC). */
export function reportTime(raw: string | null): string {
  if (!raw) return "";
  const pswin = /^(\d{4})[.-](\d{2})[.-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(raw.trim());
  const t = pswin
    ? Date.UTC(+pswin[1]!, +pswin[2]! - 1, +pswin[3]!, +pswin[4]!, +pswin[5]!, +pswin[6]!)
    : Date.parse(raw);
  return Number.isFinite(t) ? new Date(t).toISOString() : "";
}
