// Counts the calls code makes to what is global (issue 10 point 4): the one D1 database, the events
// queue, and each Durable Object by name. Wraps an Env's bindings; every call still runs for real.
import type { Env } from "../../src/env";

export interface GlobalCalls {
  /** D1 statements prepared (each one round trip to the single database), plus `batch`/`exec` calls. */
  d1: string[];
  /** Messages sent to the events queue. */
  queueMessages: number;
  /** Calls to `get` per Durable Object name (a name reached by every tenant would be a global object). */
  objects: Map<string, number>;
}

export function emptyCalls(): GlobalCalls {
  return { d1: [], queueMessages: 0, objects: new Map() };
}

export function resetCalls(c: GlobalCalls): void {
  c.d1.length = 0;
  c.queueMessages = 0;
  c.objects.clear();
}

function passThrough<T extends object>(target: T, prop: string | symbol): unknown {
  const value = Reflect.get(target, prop) as unknown;
  return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
}

/** The D1 binding, counting statements. */
export function countingDb(db: D1Database, calls: GlobalCalls): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare")
        return (sql: string) => {
          calls.d1.push(sql);
          return target.prepare(sql);
        };
      if (prop === "batch" || prop === "exec")
        return (...args: unknown[]) => {
          calls.d1.push(`<${String(prop)}>`);
          return (Reflect.get(target, prop) as (...a: unknown[]) => unknown).apply(target, args);
        };
      return passThrough(target, prop);
    },
  });
}

/**
 * An Env whose D1 and Durable Object namespace count their calls. The events queue is replaced by
 * one that only records what was sent (`sent`), so the test decides when the matcher runs.
 */
export function countingEnv(env: Env, calls: GlobalCalls, sent: unknown[]): Env {
  const ns = countingNamespace(env.SUBSCRIPTION_DO, calls);
  const queue = {
    send: async (body: unknown) => {
      calls.queueMessages++;
      sent.push(body);
    },
    sendBatch: async (messages: Iterable<MessageSendRequest<unknown>>) => {
      for (const m of messages) {
        calls.queueMessages++;
        sent.push(m.body);
      }
    },
  } as unknown as Queue<unknown>;
  return { ...env, DB: countingDb(env.DB, calls), SUBSCRIPTION_DO: ns, EVENTS_QUEUE: queue };
}

/** A Durable Object namespace counting `get` calls per object name in `calls.objects`. */
export function countingNamespace(namespace: DurableObjectNamespace, calls: GlobalCalls): DurableObjectNamespace {
  const names = new Map<string, string>();
  return new Proxy(namespace, {
    get(target, prop) {
      if (prop === "idFromName")
        return (name: string) => {
          const id = target.idFromName(name);
          names.set(id.toString(), name);
          return id;
        };
      if (prop === "get")
        return (id: DurableObjectId) => {
          const name = names.get(id.toString()) ?? id.toString();
          calls.objects.set(name, (calls.objects.get(name) ?? 0) + 1);
          return target.get(id);
        };
      return passThrough(target, prop);
    },
  });
}
