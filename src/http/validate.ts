import { z } from "zod";
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

/** `recipient.reminders.0.delayDays` -> `Recipient.Reminders[0].DelayDays`: the full C# property path. */
export function propertyPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "$";
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p).charAt(0).toUpperCase()}${String(p).slice(1)}`))
    .join("")
    .replace(/^\./, "");
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
};
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object schema a value is parsed with, past optional/nullable/default/catch and preprocess steps. */
function underlying(schema: z.ZodType): z.ZodType {
  const d = defOf(schema);
  if (d.innerType) return underlying(d.innerType);
  if (d.type === "pipe" && d.in && d.out) return underlying(defOf(d.in).type === "transform" ? d.out : d.in);
  return schema;
}

/**
 * Renames every key of `value`, at every depth, to the spelling `schema` gives it when they match
 * case-insensitively, as ASP.NET's JSON binding does. The exact spelling wins over another casing;
 * among other casings the first wins. Keys the schema does not name are kept as they are.
 */
export function canonicalKeys(schema: z.ZodType, value: unknown): unknown {
  const s = underlying(schema);
  const d = defOf(s);
  if (d.type === "array" && d.element && Array.isArray(value))
    return value.map((v) => canonicalKeys(d.element as z.ZodType, v));
  if (d.type !== "object" || !d.shape || value === null || typeof value !== "object" || Array.isArray(value))
    return value;
  const shape = d.shape;
  const byLower = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]));
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(value)) {
    const name = byLower.get(k.toLowerCase()) ?? k;
    if (out.has(name) && k !== name) continue;
    out.set(name, Object.hasOwn(shape, name) ? canonicalKeys(shape[name] as z.ZodType, v) : v);
  }
  return Object.fromEntries(out);
}

/** The schema, taking its property names case-insensitively at every depth (one preprocessing step). */
export function caseInsensitive<S extends z.ZodType>(schema: S) {
  return z.preprocess((v) => canonicalKeys(schema, v), schema);
}

/** Zod's issues as the ASP.NET `errors` map, keyed by `key(path)` (v1: the first segment; /future/: the full path). */
export function zodErrors(
  error: z.ZodError,
  key: (path: readonly PropertyKey[], issue: z.core.$ZodIssue) => string = propertyName,
): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const name = key(issue.path, issue);
    const list = (errors[name] ??= []);
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
