import type { Env } from "../../src/env";

export interface Recorded {
  sql: string;
  binds: unknown[];
}

/**
 * An Env whose D1 records every statement the code under test prepares (SQL and bound values) and then
 * runs it for real, so query-plan tests check the exact queries the routes send, not copies of them.
 */
export function recordingEnv(env: Env): { env: Env; statements: Recorded[] } {
  const statements: Recorded[] = [];
  const wrap = (stmt: D1PreparedStatement, rec: Recorded): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop, receiver) {
        if (prop === "bind") {
          return (...binds: unknown[]) => {
            rec.binds = binds;
            return wrap(target.bind(...binds), rec);
          };
        }
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  const db = new Proxy(env.DB, {
    get(target, prop, receiver) {
      if (prop === "prepare") {
        return (sql: string) => {
          const rec: Recorded = { sql, binds: [] };
          statements.push(rec);
          return wrap(target.prepare(sql), rec);
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { env: { ...env, DB: db }, statements };
}
