/**
 * The one offset date-time rule (SPEC §1: RFC 3339 with an offset). Seconds may be left out
 * (`2026-01-01T10:00+01:00`, as .NET's parser takes it for an order's send time); the offset never.
 */
export const OFFSET_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$/;

/** A date-time that states its offset and names a real instant. */
export function isOffsetDateTime(value: string): boolean {
  return OFFSET_DATE_TIME.test(value) && Number.isFinite(Date.parse(value));
}
