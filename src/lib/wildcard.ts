/**
 * Caller-supplied `%` patterns, evaluated without a backtracking engine (SPEC §4.4, §7.4).
 * Pure functions; every place a caller's string becomes a pattern goes through here.
 */

/**
 * Does `text` start with something `pattern` matches, where `%` matches any run of characters
 * (including none) and every other character is literal? Greedy leftmost search per literal piece:
 * with a trailing "anything" (a prefix match) the leftmost occurrence of each piece is always the
 * best choice, so no piece is ever retried. Each piece is found with one `indexOf` scan starting after
 * the previous one, so the work is linear in the text's length, whatever the pattern: no RegExp.
 */
export function wildcardPrefixMatch(pattern: string, text: string): boolean {
  const pieces = pattern.split("%");
  const first = pieces[0]!;
  if (!text.startsWith(first)) return false;
  let at = first.length;
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece === "") continue;
    const found = text.indexOf(piece, at);
    if (found < 0) return false;
    at = found + piece.length;
  }
  return true;
}

/** At most this many `%` in a pattern that SQLite evaluates (GLOB); more is refused with a 400. */
export const MAX_SQL_WILDCARDS = 8;

/** Does a pattern stay within the wildcard bound (runs of `%` count once)? For input validation. */
export function withinWildcardBound(pattern: string): boolean {
  return (pattern.replace(/%{2,}/g, "%").match(/%/g)?.length ?? 0) <= MAX_SQL_WILDCARDS;
}

export const TOO_MANY_WILDCARDS = `A filter may hold at most ${MAX_SQL_WILDCARDS} '%' wildcards.`;

/** Cloudflare D1 refuses a LIKE or GLOB pattern over 50 bytes (D1 limits page). */
export const MAX_SQL_PATTERN_BYTES = 50;

/** Does a filter fit D1's pattern limit? Without `%` it is compared with `=` (no limit); with, its GLOB form counts. */
export function withinPatternLength(pattern: string): boolean {
  if (!pattern.includes("%")) return true;
  const collapsed = pattern.replace(/%{2,}/g, "%");
  const glob = collapsed.replace(/[*?[]/g, (c) => `[${c}]`).replaceAll("%", "*");
  return new TextEncoder().encode(glob).length <= MAX_SQL_PATTERN_BYTES;
}

export const PATTERN_TOO_LONG = `A filter with '%' may be at most ${MAX_SQL_PATTERN_BYTES} bytes long (with GLOB's special characters escaped); without '%' any length is matched exactly.`;

export class TooManyWildcards extends Error {
  constructor() {
    super(TOO_MANY_WILDCARDS);
  }
}

/**
 * A `%` pattern as a SQLite GLOB pattern that matches the whole value, case-sensitively (LIKE would
 * ignore ASCII case): `%` becomes `*`, GLOB's own specials `*`, `?` and `[` are bracketed, runs of `%`
 * collapse to one. SQLite's GLOB gives up on a failed `*` early (no exponential backtracking), and
 * bounding the wildcards bounds its work per row further. Throws TooManyWildcards.
 */
export function wildcardGlob(pattern: string): string {
  if (!withinWildcardBound(pattern)) throw new TooManyWildcards();
  const collapsed = pattern.replace(/%{2,}/g, "%");
  return collapsed.replace(/[*?[]/g, (c) => `[${c}]`).replaceAll("%", "*");
}
