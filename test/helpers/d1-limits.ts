/**
 * A D1 database that enforces Cloudflare's limits which local D1 (workerd's SQLite) does not: at most
 * 100 bound parameters per statement, at most 2 MB per bound value (SPEC §7.1) and at most 50 bytes in
 * a LIKE or GLOB pattern (Cloudflare's D1 limits page). It answers as D1
 * does (a thrown `D1_ERROR`), and can make chosen batches fail to test what a failed transaction leaves.
 */
export const D1_MAX_PARAMS = 100;
export const D1_MAX_VALUE_BYTES = 2_000_000;
export const D1_MAX_PATTERN_BYTES = 50;

/** The 0-based indexes of the `?` placeholders that are the right-hand side of a GLOB or LIKE. */
function patternPlaceholders(sql: string): Set<number> {
  const out = new Set<number>();
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    if (sql[i] !== "?") continue;
    if (/\b(GLOB|LIKE)\s*$/i.test(sql.slice(Math.max(0, i - 12), i))) out.add(n);
    n++;
  }
  return out;
}

export interface LimitedD1Options {
  /** Called with the batch's 1-based number; true makes that batch fail (nothing of it is applied). */
  failBatch?: (n: number) => boolean;
}

export interface LimitedD1 extends D1Database {
  /** The largest bound value seen, in bytes, and how many statements were refused. */
  readonly stats: { largestValue: number; refused: number; batches: number };
}

function valueBytes(v: unknown): number {
  if (typeof v === "string") return new TextEncoder().encode(v).length;
  if (v instanceof ArrayBuffer) return v.byteLength;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  return 8;
}

export function limitedD1(db: D1Database, options: LimitedD1Options = {}): LimitedD1 {
  const stats = { largestValue: 0, refused: 0, batches: 0 };
  const real = new WeakMap<object, D1PreparedStatement>();

  const check = (values: unknown[], patterns: Set<number>) => {
    for (const i of patterns) {
      const bytes = valueBytes(values[i]);
      if (typeof values[i] === "string" && bytes > D1_MAX_PATTERN_BYTES) {
        stats.refused++;
        throw new Error(`D1_ERROR: LIKE or GLOB pattern too complex (${bytes} bytes): SQLITE_ERROR`);
      }
    }
    if (values.length > D1_MAX_PARAMS) {
      stats.refused++;
      throw new Error(`D1_ERROR: too many SQL variables (${values.length} > ${D1_MAX_PARAMS}): SQLITE_ERROR`);
    }
    for (const v of values) {
      const bytes = valueBytes(v);
      stats.largestValue = Math.max(stats.largestValue, bytes);
      if (bytes > D1_MAX_VALUE_BYTES) {
        stats.refused++;
        throw new Error(`D1_ERROR: string or blob too big (${bytes} bytes): SQLITE_TOOBIG`);
      }
    }
  };

  const wrap = (stmt: D1PreparedStatement, patterns: Set<number>): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") {
          return (...values: unknown[]) => {
            check(values, patterns);
            return wrap(target.bind(...values), patterns);
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    real.set(proxy, stmt);
    return proxy;
  };

  return new Proxy(db, {
    get(target, prop) {
      if (prop === "stats") return stats;
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), patternPlaceholders(sql));
      if (prop === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          stats.batches++;
          if (options.failBatch?.(stats.batches)) throw new Error("D1_ERROR: injected batch failure");
          return target.batch(statements.map((s) => real.get(s) ?? s));
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as LimitedD1;
}
