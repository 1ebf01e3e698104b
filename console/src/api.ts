// The console's only way to Varsel: the public API, with the signed-in token as its bearer.
import { isPlainPath } from "./paths";
import { getToken } from "./session";

export { seg } from "./paths";

export interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  errors?: Record<string, string[]>;
  traceId?: string;
}

export interface ApiResult<T> {
  ok: boolean;
  status: number;
  body: T;
  problem: Problem | null;
  /** The path and query of the `next` header, when the API sent one. */
  next: string | null;
}

export interface CallOptions {
  method?: string;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Only same-origin paths: a `next` link is followed by its path and query, never by its host. */
export function localPath(link: string | null): string | null {
  if (!link) return null;
  try {
    const u = new URL(link, location.origin);
    return u.origin === location.origin ? u.pathname + u.search : null;
  } catch {
    return null;
  }
}

export async function call<T = unknown>(path: string, opts: CallOptions = {}): Promise<ApiResult<T>> {
  if (!isPlainPath(path)) {
    const problem = { title: "Refused", detail: "This address names something that is not a plain API path." };
    return { ok: false, status: 0, body: null as T, problem, next: null };
  }
  const headers: Record<string, string> = { accept: "application/json", ...(opts.headers ?? {}) };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers["content-type"] = opts.contentType ?? "application/json";
  } else if (opts.text !== undefined) {
    body = opts.text;
    headers["content-type"] = opts.contentType ?? "text/plain";
  }
  let res: Response;
  try {
    res = await fetch(path, { method: opts.method ?? "GET", headers, body, credentials: "omit", cache: "no-store" });
  } catch {
    const problem = { title: "Network error", detail: "Varsel could not be reached." };
    return { ok: false, status: 0, body: null as T, problem, next: null };
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  const problem = res.ok
    ? null
    : ((parsed && typeof parsed === "object"
        ? parsed
        : { title: res.statusText, detail: String(parsed ?? "") }) as Problem);
  return { ok: res.ok, status: res.status, body: parsed as T, problem, next: localPath(res.headers.get("next")) };
}

export function query(params: Record<string, string | string[] | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined && one !== "") q.append(k, one);
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}
