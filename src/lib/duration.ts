/** Durations from configuration (`90d`, `12h`, `30m`, `30s`), SPEC §7.2. Pure. */

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `"90d"` -> 7,776,000,000 ms; `undefined`, empty or malformed text gives `fallbackMs`. */
export function parseDuration(raw: string | undefined, fallbackMs: number): number {
  const match = /^\s*(\d+)\s*([smhd])\s*$/.exec(raw ?? "");
  if (!match) return fallbackMs;
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}
