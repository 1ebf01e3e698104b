/** Retry schedules from configuration, shared by pushes and e-mail sends. Pure. */

/** `"10,30,60"` -> [10, 30, 60] seconds; anything empty or malformed falls back to the default. */
export function parseSchedule(raw: string | undefined, fallback: readonly number[]): number[] {
  if (raw === undefined || raw.trim() === "") return [...fallback];
  const parts = raw.split(",").map((p) => p.trim());
  if (!parts.every((p) => /^\d+(\.\d+)?$/.test(p))) return [...fallback];
  return parts.map(Number);
}
