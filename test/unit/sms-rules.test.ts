import { describe, expect, it } from "vitest";
import { daytimeExpiry, daytimeWindow, isWithinDaytime, nextAllowedSendTime } from "../../src/sms/daytime";
import { SMS_STATUS_DESCRIPTIONS, SMS_STATUSES, v1StatusName } from "../../src/sms/model";
import { e164, isValidMobileNumber, registryNumber } from "../../src/sms/phone";
import { segmentCount, urlEncodedLength } from "../../src/sms/segments";
import { linkMobilityProvider } from "../../src/sms/provider";

describe("mobile numbers (reference §1.1's table)", () => {
  const accepted = [
    "+4740000001",
    "+4790000000",
    "004740000000",
    "004790000002",
    "+233242426224",
    "+47 99999999",
    "+47 9999 9999",
    "+47 99 99 99 99",
    "+4799999999 ",
    "+47 99999999 ",
  ];
  const refused = [
    "40000001",
    "90000000",
    "12345678",
    "+4750000004",
    "+47900000001",
    "+14790000000",
    "+4712345678",
    "111100000",
    " +4799999999",
    "++4740000000",
    "",
    "+47abc",
  ];
  for (const n of accepted) it(`accepts ${JSON.stringify(n)}`, () => expect(isValidMobileNumber(n)).toBe(true));
  for (const n of refused) it(`refuses ${JSON.stringify(n)}`, () => expect(isValidMobileNumber(n)).toBe(false));

  it("reads 00 as + and gives the E.164 form", () => {
    expect(e164("004790000002")).toBe("+4790000002");
    expect(e164("+47 99 99 99 99")).toBe("+4799999999");
  });

  it("normalises register numbers as Altinn does: 00 → +, eight digits with 4/9 → +47, invalid dropped", () => {
    expect(registryNumber("99999999")).toBe("+4799999999");
    expect(registryNumber("40000001")).toBe("+4740000001");
    expect(registryNumber("004790000002")).toBe("+4790000002");
    expect(registryNumber("+4799999999")).toBe("+4799999999");
    expect(registryNumber("12345678")).toBeNull();
    expect(registryNumber("")).toBeNull();
    expect(registryNumber(null)).toBeNull();
  });
});

describe("Daytime window (SMS_DAYTIME in SMS_TIME_ZONE)", () => {
  const oslo = daytimeWindow(undefined, undefined);
  const at = (iso: string) => new Date(iso);

  it("defaults to 09-17 Europe/Oslo and reads HH-HH; nonsense falls back", () => {
    expect(oslo).toEqual({ startHour: 9, endHour: 17, timeZone: "Europe/Oslo" });
    expect(daytimeWindow("08-20", "UTC")).toEqual({ startHour: 8, endHour: 20, timeZone: "UTC" });
    expect(daytimeWindow("17-09", "Mars/Olympus")).toEqual(oslo);
    expect(daytimeWindow("00-24", undefined)).toMatchObject({ startHour: 0, endHour: 24 });
  });

  it("in winter (CET, UTC+1): start inclusive, end exclusive", () => {
    expect(isWithinDaytime(at("2026-01-15T07:59:59Z"), oslo)).toBe(false); // 08:59:59
    expect(isWithinDaytime(at("2026-01-15T08:00:00Z"), oslo)).toBe(true); // 09:00
    expect(isWithinDaytime(at("2026-01-15T15:59:59Z"), oslo)).toBe(true); // 16:59:59
    expect(isWithinDaytime(at("2026-01-15T16:00:00Z"), oslo)).toBe(false); // 17:00
    expect(nextAllowedSendTime(at("2026-01-15T05:00:00Z"), oslo).toISOString()).toBe("2026-01-15T08:00:00.000Z");
    expect(nextAllowedSendTime(at("2026-01-15T16:00:00Z"), oslo).toISOString()).toBe("2026-01-16T08:00:00.000Z");
    expect(nextAllowedSendTime(at("2026-01-15T12:34:56Z"), oslo).toISOString()).toBe("2026-01-15T12:34:56.000Z");
  });

  it("across the spring change (29 March 2026, 02:00 CET → 03:00 CEST)", () => {
    // Saturday 21:00 CET → Sunday 09:00 CEST = 07:00Z
    expect(nextAllowedSendTime(at("2026-03-28T20:00:00Z"), oslo).toISOString()).toBe("2026-03-29T07:00:00.000Z");
    expect(isWithinDaytime(at("2026-03-29T06:59:00Z"), oslo)).toBe(false); // 08:59 CEST
    expect(isWithinDaytime(at("2026-03-29T07:00:00Z"), oslo)).toBe(true); // 09:00 CEST
    expect(isWithinDaytime(at("2026-03-29T15:00:00Z"), oslo)).toBe(false); // 17:00 CEST
    // A window starting at the hour that does not exist that night begins at the first hour after it.
    const night = daytimeWindow("02-04", "Europe/Oslo");
    expect(nextAllowedSendTime(at("2026-03-29T00:30:00Z"), night).toISOString()).toBe("2026-03-29T01:00:00.000Z"); // 03:00 CEST
    const missing = daytimeWindow("02-03", "Europe/Oslo");
    expect(nextAllowedSendTime(at("2026-03-29T00:30:00Z"), missing).toISOString()).toBe("2026-03-30T00:00:00.000Z"); // Monday 02:00 CEST
  });

  it("across the autumn change (25 October 2026, 03:00 CEST → 02:00 CET)", () => {
    // Saturday 22:00 CEST → Sunday 09:00 CET = 08:00Z
    expect(nextAllowedSendTime(at("2026-10-24T20:00:00Z"), oslo).toISOString()).toBe("2026-10-25T08:00:00.000Z");
    expect(isWithinDaytime(at("2026-10-25T07:59:00Z"), oslo)).toBe(false); // 08:59 CET
    expect(isWithinDaytime(at("2026-10-25T15:59:00Z"), oslo)).toBe(true); // 16:59 CET
    expect(isWithinDaytime(at("2026-10-25T16:00:00Z"), oslo)).toBe(false); // 17:00 CET
    // The repeated hour 02:00–03:00 is within a 02-03 window both times.
    const repeated = daytimeWindow("02-03", "Europe/Oslo");
    expect(isWithinDaytime(at("2026-10-25T00:30:00Z"), repeated)).toBe(true); // 02:30 CEST
    expect(isWithinDaytime(at("2026-10-25T01:30:00Z"), repeated)).toBe(true); // 02:30 CET
  });

  it("00-24 is always; other zones and half-hour offsets work", () => {
    const always = daytimeWindow("00-24", "Europe/Oslo");
    for (const t of ["2026-03-29T01:30:00Z", "2026-10-25T01:30:00Z", "2026-07-01T23:59:59Z"])
      expect(nextAllowedSendTime(at(t), always).toISOString()).toBe(new Date(t).toISOString());
    const kolkata = daytimeWindow("09-17", "Asia/Kolkata"); // UTC+5:30
    expect(nextAllowedSendTime(at("2026-01-15T00:00:00Z"), kolkata).toISOString()).toBe("2026-01-15T03:30:00.000Z");
  });
});

describe("Daytime expiry (reference §5.2)", () => {
  const oslo = daytimeWindow(undefined, undefined);
  const H48 = 48 * 3600_000;
  it("inside the window +48 h; before it the start that day +48 h; after it the next start +48 h", () => {
    expect(daytimeExpiry(new Date("2026-01-15T12:00:00Z"), oslo, H48).toISOString()).toBe("2026-01-17T12:00:00.000Z");
    expect(daytimeExpiry(new Date("2026-01-15T05:00:00Z"), oslo, H48).toISOString()).toBe("2026-01-17T08:00:00.000Z");
    expect(daytimeExpiry(new Date("2026-01-15T17:00:00Z"), oslo, H48).toISOString()).toBe("2026-01-18T08:00:00.000Z");
  });
});

describe("segment count (reference §6.1)", () => {
  it("counts the .NET URL-encoded length: 160 → 1, then 134 per segment, at most 16", () => {
    expect(segmentCount("a".repeat(160))).toBe(1);
    expect(segmentCount("a".repeat(161))).toBe(2);
    expect(segmentCount("a".repeat(268))).toBe(2);
    expect(segmentCount("a".repeat(269))).toBe(3);
    expect(segmentCount("a".repeat(5000))).toBe(16);
    expect(urlEncodedLength("a b")).toBe(3);
    expect(urlEncodedLength("æ")).toBe(6); // two UTF-8 bytes, %C3%A6
    expect(urlEncodedLength("/")).toBe(3);
    expect(segmentCount("æ".repeat(27))).toBe(2); // 162 encoded characters
  });
});

describe("SMS statuses", () => {
  it("has the fourteen statuses with Altinn's descriptions; v1 reports Failed_TTL as Failed", () => {
    expect(SMS_STATUSES).toHaveLength(14);
    expect(SMS_STATUS_DESCRIPTIONS.Failed_BarredReceiver).toBe(
      "The SMS was not delivered because the recipient's number is barred, blocked or not in use.",
    );
    expect(SMS_STATUS_DESCRIPTIONS.Failed_TTL).toBe(
      "The SMS was in indefinite state Accepted for too long (TTL), and was subsequently set to failed.",
    );
    expect(v1StatusName("Failed_TTL")).toBe("Failed");
    expect(v1StatusName("Delivered")).toBe("Delivered");
  });
});

describe("the gateway's reply", () => {
  it("is read only up to a bound: an endless reply is a transient failure, not memory exhaustion", async () => {
    let pulled = 0;
    const endless = (async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(c) {
            pulled += 64 * 1024;
            c.enqueue(new TextEncoder().encode("x".repeat(64 * 1024)));
          },
        }),
      )) as unknown as typeof fetch;
    const provider = linkMobilityProvider("https://gateway.test/", "u", "p", endless);
    const [result] = await provider.send([
      { notificationId: "n1", text: "t", sender: "Altinn", receiver: "+4799999999", ttlMinutes: 60 },
    ] as never);
    expect(result).toMatchObject({ status: "Transient" });
    expect(pulled).toBeLessThan(1024 * 1024);
  });
});
