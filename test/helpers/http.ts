import { exports } from "cloudflare:workers";

export const BASE = "https://varsel.test";

/** Calls the Worker under test through its real fetch handler. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return (exports as unknown as { default: Fetcher }).default.fetch(new Request(BASE + path, init));
}

export function postJson(
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = "application/json",
): Promise<Response> {
  return call(path, {
    method: "POST",
    headers: { "content-type": contentType, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export function putJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, {
    method: "PUT",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** Asserts a problem+json body and returns it. */
export async function problem(res: Response): Promise<{
  type: string;
  title: string;
  status: number;
  detail?: string;
  traceId: string;
  errors?: Record<string, string[]>;
}> {
  if (!(res.headers.get("content-type") ?? "").startsWith("application/problem+json")) {
    throw new Error(`expected problem+json, got ${res.status} ${res.headers.get("content-type")}: ${await res.text()}`);
  }
  return res.json();
}

/**
 * Calls the Worker's real fetch handler with some variables changed (e.g. production's
 * `ALLOW_INSECURE_ENDPOINTS=false`), against the same D1, Queues and Durable Objects.
 */
export async function callWithEnv(
  vars: Partial<Record<string, string>>,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const [{ env, createExecutionContext, waitOnExecutionContext }, { default: worker }] = await Promise.all([
    import("cloudflare:test"),
    import("../../src/index"),
  ]);
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(BASE + path, init), { ...env, ...vars } as typeof env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
