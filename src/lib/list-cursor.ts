/**
 * Opaque cursors for the list endpoints (`after` from a `next` link, SPEC §4.3's paging): the sort
 * key of the last item, prefixed so a value that is not one of ours is refused. Pure.
 */
function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(bin, (c) => c.charCodeAt(0)),
    );
  } catch {
    return null;
  }
}

export function encodeListCursor(prefix: string, key: string[]): string {
  return `${prefix}${toBase64Url(JSON.stringify(key))}`;
}

/** The key, or null when `value` is not a cursor of this kind with `parts` strings. */
export function decodeListCursor(prefix: string, value: string, parts: number): string[] | null {
  if (!value.startsWith(prefix) || value.length > 1000) return null;
  const text = fromBase64Url(value.slice(prefix.length));
  if (text === null) return null;
  try {
    const key = JSON.parse(text) as unknown;
    return Array.isArray(key) && key.length === parts && key.every((k) => typeof k === "string")
      ? (key as string[])
      : null;
  } catch {
    return null;
  }
}

/** The `next` link: the same URL with `after` set to the cursor. */
export function nextListLink(url: URL, baseUrl: string, cursor: string): string {
  const next = new URL(url.pathname + url.search, baseUrl);
  next.searchParams.set("after", cursor);
  return next.toString();
}
