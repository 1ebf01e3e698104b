/**
 * Delivery reports from the PSWin gateway (SPEC §5.7, reference §6.3): HTTP Basic against
 * SMS_REPORT_USER / SMS_REPORT_PASSWORD, the body decoded with its Content-Type charset (default
 * ISO-8859-1), each report mapped onto the SMS by its gateway reference. Answers in PSWin's way.
 */
import type { Env } from "../env";
import { publishStatusEvents } from "../notifications/status-events";
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
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.byteLength > MAX_REPORT_BYTES) return plain(413, "Error: Content is too large");
  const parsed = parseDeliveryReports(decodeReportBody(bytes, req.headers.get("content-type")));
  if (!parsed.ok) return plain(400, parsed.error);
  const orders: string[] = [];
  for (const r of parsed.reports) {
    const status = reportStatus(r.state);
    if (!status) return plain(500, `Unhandled delivery report state '${r.state}'.`);
    if (!r.ref) continue; // nothing to match it with
    const applied = await applySmsReport(env, r.ref, status, now);
    if (applied.orderId) orders.push(applied.orderId);
    // A report can overtake the consumer storing the gateway's reference: not OK (503), so it is sent again.
    if (applied.outcome === "unknown")
      return plain(503, `No SMS with gateway reference '${r.ref.slice(0, 100)}' yet; send the report again later.`);
  }
  await completeSmsOrders(env, orders, now);
  await publishStatusEvents(env, now);
  return new Response(reportReply(parsed.reports.map((r) => r.id || "1")), {
    status: 200,
    headers: { "content-type": "application/xml; charset=utf-8" },
  });
}
