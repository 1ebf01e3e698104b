import type { z } from "zod";
import { fail } from "./problem";

/** `recipients.0.emailAddress` -> `Recipients` style ASP.NET property names: the first path segment, PascalCased. */
export function propertyName(path: readonly PropertyKey[]): string {
  const first = path[0];
  if (first === undefined) return "$";
  const s = String(first);
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Renames keys to their canonical spelling when they match case-insensitively, as ASP.NET's JSON binding does. */
export function caseInsensitiveKeys(fields: readonly string[]): (value: unknown) => unknown {
  const byLower = new Map(fields.map((f) => [f.toLowerCase(), f]));
  return (value) =>
    value === null || typeof value !== "object" || Array.isArray(value)
      ? value
      : Object.fromEntries(Object.entries(value).map(([k, v]) => [byLower.get(k.toLowerCase()) ?? k, v]));
}

export function zodErrors(error: z.ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = propertyName(issue.path);
    const list = (errors[key] ??= []);
    if (!list.includes(issue.message)) list.push(issue.message);
  }
  return errors;
}

/** Validates with a zod schema; failures become a 400 with the ASP.NET `errors` map. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) fail({ kind: "validation", errors: zodErrors(result.error) });
  return result.data;
}

/**
 * Query parameters as a plain object; repeated keys become arrays. Names in `known` match
 * case-insensitively, as ASP.NET binds them (`alternativeSubject` is `alternativesubject`), so a
 * differently cased filter is applied rather than silently ignored.
 */
export function queryObject(url: URL, known: readonly string[] = []): Record<string, string | string[]> {
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  const grouped = new Map<string, string[]>();
  for (const [raw, value] of url.searchParams) {
    const key = byLower.get(raw.toLowerCase()) ?? raw;
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  return Object.fromEntries([...grouped].map(([k, all]) => [k, all.length > 1 ? all : all[0]!]));
}

/** Validates query parameters; the first message is also the problem's `detail`, as Altinn's read APIs answer. */
export function parseQuery<S extends z.ZodType>(schema: S, url: URL): z.output<S> {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  const result = schema.safeParse(queryObject(url, shape ? Object.keys(shape) : []));
  if (!result.success) {
    const errors = zodErrors(result.error);
    fail({ kind: "validation", errors, detail: Object.values(errors)[0]?.[0] ?? "Invalid query." });
  }
  return result.data;
}
