/**
 * SMS segment count as Altinn computes it (reference §6.1, CalculateNumberOfMessages), pure: the
 * length of the body URL-encoded the .NET way (space → `+`, `-_.!*()` and ASCII letters and digits
 * kept, every other UTF-8 byte as `%XX`); ≤ 160 → 1, else ceil(length / 134), at most 16.
 */
const KEPT = /[A-Za-z0-9\-_.!*() ]/;

export function urlEncodedLength(text: string): number {
  let n = 0;
  for (const ch of text) n += KEPT.test(ch) ? 1 : 3 * new TextEncoder().encode(ch).byteLength;
  return n;
}

export function segmentCount(text: string): number {
  const len = urlEncodedLength(text);
  if (len <= 160) return 1;
  return Math.min(16, Math.ceil(len / 134));
}
