import { describe, expect, it } from "vitest";
import { XMLParser } from "fast-xml-parser";
import { decodeReportBody, reportAuthorized } from "../../src/sms/reports";
import {
  buildSession,
  parseDeliveryReports,
  parseSessionReply,
  reportReply,
  reportStatus,
  sendStatusOf,
} from "../../src/sms/xml";

describe("PSWin session (reference §6.2)", () => {
  it("builds SESSION/CLIENT/PW/MSGLST/MSG with ID, TEXT, SND, RCV, TTL in minutes, text escaped", () => {
    const xml = buildSession("user", "p<w>", [
      { id: "1", text: "Hei & <velkommen> æøå", sender: "Altinn", receiver: "+4799999999", ttlMinutes: 2880 },
    ]);
    expect(xml.startsWith('<?xml version="1.0" encoding="iso-8859-1"?><SESSION>')).toBe(true);
    expect(xml).toContain("<TEXT>Hei &amp; &lt;velkommen&gt; æøå</TEXT>");
    const doc = new XMLParser({ parseTagValue: false }).parse(xml);
    expect(doc.SESSION).toMatchObject({
      CLIENT: "user",
      PW: "p<w>",
      MSGLST: { MSG: { ID: "1", SND: "Altinn", RCV: "+4799999999", TTL: "2880", TEXT: "Hei & <velkommen> æøå" } },
    });
  });

  it("parses the reply: OK → Accepted with REF, Invalid RCV → Failed_InvalidRecipient, else Failed; a failed LOGON fails all", () => {
    const reply = parseSessionReply(
      `<?xml version="1.0"?><SESSION><LOGON>OK</LOGON><REASON></REASON><MSGLST>
        <MSG><ID>1</ID><STATUS>OK</STATUS><INFO></INFO><REF>abc-1</REF></MSG>
        <MSG><ID>2</ID><STATUS>FAIL</STATUS><INFO>Invalid RCV 123</INFO></MSG>
        <MSG><ID>3</ID><STATUS>FAIL</STATUS><INFO>Something else</INFO></MSG></MSGLST></SESSION>`,
    )!;
    expect(reply.messages.map((m) => sendStatusOf(m, reply))).toEqual([
      "Accepted",
      "Failed_InvalidRecipient",
      "Failed",
    ]);
    expect(reply.messages[0]!.ref).toBe("abc-1");
    const logonFail = parseSessionReply("<SESSION><LOGON>FAIL</LOGON><REASON>Wrong password</REASON></SESSION>")!;
    expect(logonFail).toMatchObject({ logonOk: false, reason: "Wrong password" });
    expect(sendStatusOf(undefined, logonFail)).toBe("Failed");
    expect(parseSessionReply("<html>Bad gateway</html>")).toBeNull();
    expect(parseSessionReply("not xml <<")).toBeNull();
  });
});

describe("delivery reports (reference §6.3)", () => {
  it("reads MSGLST/MSG with RCV and STATE required and answers the reference's texts", () => {
    const ok = parseDeliveryReports(
      '<?xml version="1.0"?><MSGLST><MSG><ID>1</ID><REF>r1</REF><RCV>4799999999</RCV><STATE>DELIVRD</STATE><DELIVERYTIME>2026.08.01 10:00:05</DELIVERYTIME></MSG></MSGLST>',
    );
    expect(ok).toEqual({
      ok: true,
      reports: [{ id: "1", ref: "r1", receiver: "4799999999", state: "DELIVRD", deliveryTime: "2026.08.01 10:00:05" }],
    });
    expect(parseDeliveryReports("  ")).toEqual({ ok: false, error: "Error: Content is empty" });
    expect(parseDeliveryReports("<MSGLST><MSG><ID>1</ID><STATE>DELIVRD</STATE></MSG></MSGLST>")).toEqual({
      ok: false,
      error: "Missing element RCV under MSGLST/MSG",
    });
    expect(parseDeliveryReports("<MSGLST><MSG><ID>1</ID><RCV>47</RCV></MSG></MSGLST>")).toEqual({
      ok: false,
      error: "Missing element STATE under MSGLST/MSG",
    });
    const bad = parseDeliveryReports("<MSGLST><MSG></MSGLST>");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.startsWith("XML is not well formed: ")).toBe(true);
  });

  it("maps states as Altinn's SmsSendResultMapper; BARREDA and ZEROBAL are unhandled", () => {
    expect(
      ["DELIVRD", "EXPIRED", "DELETED", "UNDELIV", "REJECTD", "BARRED", "FAILED", "NULL", "UNKNOWN", "WHATEVER"].map(
        reportStatus,
      ),
    ).toEqual([
      "Delivered",
      "Failed_Expired",
      "Failed_Deleted",
      "Failed_Undelivered",
      "Failed_Rejected",
      "Failed_BarredReceiver",
      "Failed",
      "Failed",
      "Failed",
      "Failed",
    ]);
    expect(reportStatus("BARREDA")).toBeNull();
    expect(reportStatus("ZEROBAL")).toBeNull();
  });

  it("answers OK per message", () => {
    expect(reportReply(["1"])).toBe('<?xml version="1.0"?><MSGLST><MSG><ID>1</ID><STATUS>OK</STATUS></MSG></MSGLST>');
  });

  it("checks Basic credentials, never passing when none are configured", () => {
    const h = `Basic ${btoa("gw:secret")}`;
    expect(reportAuthorized(h, "gw", "secret")).toBe(true);
    expect(reportAuthorized(h, "gw", "other")).toBe(false);
    expect(reportAuthorized(h, undefined, undefined)).toBe(false);
    expect(reportAuthorized(null, "gw", "secret")).toBe(false);
    expect(reportAuthorized("Basic !!!", "gw", "secret")).toBe(false);
  });

  it("decodes the body with the Content-Type charset, ISO-8859-1 by default", () => {
    const latin1 = new Uint8Array([0x3c, 0x41, 0x3e, 0xe6, 0xf8, 0xe5]); // "<A>æøå" in ISO-8859-1
    expect(decodeReportBody(latin1, "application/xml")).toBe("<A>æøå");
    expect(decodeReportBody(new TextEncoder().encode("<A>æøå"), "application/xml; charset=utf-8")).toBe("<A>æøå");
  });
});
