/**
 * The Daytime sending policy (SPEC §5.5): SMS go out only while the local time t in SMS_TIME_ZONE
 * (default Europe/Oslo) is within SMS_DAYTIME = "HH-HH", start ≤ t < end (default 09-17, 00-24 =
 * always). Pure: the clock is passed in; time zones through Intl only.
 */

export interface DaytimeWindow {
  startHour: number;
  endHour: number;
  timeZone: string;
}

export const DEFAULT_DAYTIME: DaytimeWindow = { startHour: 9, endHour: 17, timeZone: "Europe/Oslo" };

/** Reads SMS_DAYTIME / SMS_TIME_ZONE; anything unusable falls back to the default for that part. */
export function daytimeWindow(daytime: string | undefined, timeZone: string | undefined): DaytimeWindow {
  let { startHour, endHour } = DEFAULT_DAYTIME;
  const m = /^\s*(\d{1,2})\s*-\s*(\d{1,2})\s*$/.exec(daytime ?? "");
  if (m) {
    const s = Number(m[1]);
    const e = Number(m[2]);
    if (s >= 0 && e <= 24 && s < e) [startHour, endHour] = [s, e];
  }
  let tz = DEFAULT_DAYTIME.timeZone;
  if (timeZone?.trim()) {
    try {
      tz = new Intl.DateTimeFormat("en-GB", { timeZone: timeZone.trim() }).resolvedOptions().timeZone;
    } catch {
      // an unknown zone: keep the default
    }
  }
  return { startHour, endHour, timeZone: tz };
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The local hour (0–23) at `at` in the zone. */
export function localHour(at: Date, timeZone: string): number {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" });
    formats.set(timeZone, f);
  }
  return Number(f.formatToParts(at).find((p) => p.type === "hour")?.value ?? "0") % 24;
}

export function isWithinDaytime(at: Date, w: DaytimeWindow): boolean {
  if (w.startHour === 0 && w.endHour >= 24) return true;
  const h = localHour(at, w.timeZone);
  return h >= w.startHour && h < w.endHour;
}

const QUARTER_MS = 15 * 60_000;

/**
 * The earliest instant ≥ `at` inside the window. Every zone's offset is a whole number of quarter
 * hours, so a local hour always starts on a UTC quarter hour: stepping through them finds the
 * window's start, across DST changes too (a start hour that does not exist that day begins at the
 * first local hour after it).
 */
export function nextAllowedSendTime(at: Date, w: DaytimeWindow): Date {
  if (isWithinDaytime(at, w)) return at;
  let t = Math.ceil(at.getTime() / QUARTER_MS) * QUARTER_MS;
  for (let i = 0; i < 4 * 72; i++, t += QUARTER_MS) {
    if (isWithinDaytime(new Date(t), w)) return new Date(t);
  }
  return at; // unreachable for a non-empty window
}

/**
 * When an SMS sent under the Daytime policy expires (reference §5.2, Altinn's GetSmsExpirationDateTime):
 * `ttlMs` after the first allowed instant at or after the reference time — inside the window +48 h,
 * before it: the window's start that day +48 h, after it: the next start +48 h. (v1 orders use
 * requestedSendTime + 48 h instead, reference §1.1; this is for Daytime shipments of the current API.)
 */
export function daytimeExpiry(reference: Date, w: DaytimeWindow, ttlMs: number): Date {
  return new Date(nextAllowedSendTime(reference, w).getTime() + ttlMs);
}
