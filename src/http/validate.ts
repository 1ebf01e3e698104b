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
    value === null || typeof value !== "object" || Array.isArray(value) ? value : Object.fromEntries(Object.entries(value).map(([k, v]) => [byLower.get(k.toLowerCase()) ?? k, v]));
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

/** Query parameters as a plain object; repeated keys become arrays. */
export function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length > 1 ? all : all[0]!;
  }
  return out;
}

/** Validates query parameters; the first message is also the problem's `detail`, as Altinn's read APIs answer. */
export function parseQuery<S extends z.ZodType>(schema: S, url: URL): z.output<S> {
  const result = schema.safeParse(queryObject(url));
  if (!result.success) {
    const errors = zodErrors(result.error);
    fail({ kind: "validation", errors, detail: Object.values(errors)[0]?.[0] ?? "Invalid query." });
  }
  return result.data;
}
