import { fail, invalid } from "./problem";

export const MAX_JSON_DEPTH = 64;

/** Reads at most `maxBytes` of the body; a larger body is refused with 413 before it is parsed. */
export async function readText(req: Request, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes)
    fail({ kind: "payload_too_large", detail: `The request body must be at most ${maxBytes} bytes.` });
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      fail({ kind: "payload_too_large", detail: `The request body must be at most ${maxBytes} bytes.` });
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(all);
  } catch {
    invalid("$", "The request body is not valid UTF-8.");
  }
}

/** Nesting depth of a JSON text, counted without parsing it (so a hostile body cannot blow the stack). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

export function parseJson(text: string): unknown {
  if (text.trim() === "") invalid("$", "A non-empty request body is required.");
  if (jsonDepth(text) > MAX_JSON_DEPTH) invalid("$", `The JSON value is nested deeper than ${MAX_JSON_DEPTH} levels.`);
  try {
    return JSON.parse(text);
  } catch (e) {
    // The parser's message quotes the start of the body, which may be a secret: give only where it broke.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    invalid("$", `The request body is not valid JSON${at ? ` (at position ${at})` : ""}.`);
  }
}

export function mediaType(req: Request): string {
  return (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/** 415 unless the request's media type is one of `types`. */
export function requireMediaType(req: Request, types: readonly string[]): void {
  if (!types.includes(mediaType(req)))
    fail({ kind: "unsupported_media_type", detail: `Content-Type must be one of: ${types.join(", ")}.` });
}

/** Checks the content type, then reads and parses a JSON body within the size limit. */
export async function readJson(req: Request, opts: { maxBytes?: number; types?: string[] } = {}): Promise<unknown> {
  requireMediaType(req, opts.types ?? ["application/json"]);
  return parseJson(await readText(req, opts.maxBytes ?? 256 * 1024));
}
