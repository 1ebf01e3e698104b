/**
 * Read cursors. An opaque cursor names the event's position (`seq`), which is unique even when
 * event ids repeat across sources. `after` may also be "0" (the start) or an event id.
 */
const PREFIX = "vc1.";

export function encodeCursor(seq: number): string {
  return `${PREFIX}${seq.toString(36)}`;
}

export type After =
  | { kind: "start" }
  | { kind: "seq"; seq: number }
  | { kind: "eventId"; id: string }
  | { kind: "invalid" };

/**
 * SPEC §4.3: "0" is the start; a value with Varsel's prefix is a cursor, and a 400 when not a valid one;
 * any other value is an event id (an id not held reads from the start, as Altinn does).
 */
export function decodeAfter(after: string): After {
  if (after === "0") return { kind: "start" };
  if (after.startsWith(PREFIX)) {
    const seq = parseInt(after.slice(PREFIX.length), 36);
    return Number.isSafeInteger(seq) && seq >= 0 && encodeCursor(seq) === after
      ? { kind: "seq", seq }
      : { kind: "invalid" };
  }
  return { kind: "eventId", id: after };
}

export const INVALID_CURSOR =
  "The 'after' parameter is not a valid cursor: use the 'next' link as given, \"0\" or an event id.";

export { wildcardGlob } from "../lib/wildcard";

/** The `next` link: the same URL with `after` moved to the last event's cursor. */
export function nextLink(url: URL, baseUrl: string, lastSeq: number): string {
  const next = new URL(url.pathname + url.search, baseUrl);
  next.searchParams.set("after", encodeCursor(lastSeq));
  return next.toString();
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** Size defaults to 50 and is clamped to 1000; null when not a positive integer. */
export function pageSize(raw: string | undefined): number | null {
  if (raw === undefined || raw === "") return DEFAULT_PAGE_SIZE;
  if (!/^\d{1,9}$/.test(raw)) return null;
  const n = Number(raw);
  return n < 1 ? null : Math.min(n, MAX_PAGE_SIZE);
}
