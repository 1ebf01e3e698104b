/** NDJSON bulk import parsing (SPEC §5.3). Pure: text in, accepted records and rejected lines out. */
import type { z } from "zod";
import { jsonDepth, MAX_JSON_DEPTH } from "../http/body";
import { zodErrors } from "../http/validate";

export interface Rejected {
  /** 1-based line number in the uploaded file. */
  line: number;
  error: string;
}

export interface ParsedImport<T> {
  /** Good lines (a key repeated in the file counts once per line). */
  accepted: number;
  /** One record per key, the last line's. */
  records: T[];
  rejected: Rejected[];
}

/** `{Email: ["Invalid email address format."]}` -> `Email: Invalid email address format.` */
function describe(errors: Record<string, string[]>): string {
  return Object.entries(errors)
    .map(([k, msgs]) => `${k}: ${msgs.join(" ")}`)
    .join("; ");
}

/**
 * Parses one JSON object a line; blank lines are skipped (but counted). A record whose key
 * appears again later is superseded by the later line, as if the lines were PUT in order.
 */
export function parseNdjson<S extends z.ZodType>(
  text: string,
  schema: S,
  keyOf: (r: z.output<S>) => string,
): ParsedImport<z.output<S>> {
  const byKey = new Map<string, z.output<S>>();
  const rejected: Rejected[] = [];
  let accepted = 0;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, "");
    if (raw.trim() === "") continue;
    const line = i + 1;
    if (jsonDepth(raw) > MAX_JSON_DEPTH) {
      rejected.push({ line, error: `The JSON value is nested deeper than ${MAX_JSON_DEPTH} levels.` });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      rejected.push({ line, error: "The line is not valid JSON." });
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      rejected.push({ line, error: "Each line must be a JSON object." });
      continue;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      rejected.push({ line, error: describe(zodErrors(result.error)) });
      continue;
    }
    accepted++;
    const key = keyOf(result.data);
    byKey.delete(key);
    byKey.set(key, result.data);
  }
  return { accepted, records: [...byKey.values()], rejected };
}

/** Splits rows into groups of at most `maxRows` whose JSON stays under `maxBytes` (D1's per-value size limit). */
export function chunkRows<T>(rows: T[], maxRows: number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 2;
  for (const row of rows) {
    const len = JSON.stringify(row).length + 1;
    if (current.length > 0 && (current.length >= maxRows || size + len > maxBytes)) {
      out.push(current);
      current = [];
      size = 2;
    }
    current.push(row);
    size += len;
  }
  if (current.length) out.push(current);
  return out;
}
