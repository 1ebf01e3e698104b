/**
 * Every failure a handler can produce, as a tagged union. Handlers throw `HttpFailure`
 * (via `fail`), and `problemResponse` is the one place that turns them into
 * ASP.NET-shaped application/problem+json bodies (SPEC §1).
 */
export type Failure =
  | { kind: "validation"; errors: Record<string, string[]>; detail?: string }
  | { kind: "bad_request"; detail: string }
  | { kind: "unauthorized"; detail?: string }
  | { kind: "forbidden"; detail?: string }
  | { kind: "not_found"; detail?: string }
  | { kind: "method_not_allowed" }
  | { kind: "conflict"; detail?: string }
  | { kind: "payload_too_large"; detail?: string }
  | { kind: "unsupported_media_type"; detail?: string }
  | { kind: "unavailable"; detail?: string }
  /** Altinn's coded problems (SPEC §5.5): `urn:altinn:error:NOT-0000n`, the text in title and detail. */
  | { kind: "coded"; code: AltinnCode };

/** Altinn Notifications' problem codes (reference §0.4) with their status and text. */
export const ALTINN_CODES = {
  "NOT-00001": { status: 422, text: "Missing contact information for recipient(s)" },
  "NOT-00002": {
    status: 499,
    text: "The client disconnected or cancelled the request before the server could complete processing",
  },
  "NOT-00003": { status: 404, text: "Shipment not found" },
  "NOT-00004": { status: 503, text: "A temporary network failure occurred" },
} as const;
export type AltinnCode = keyof typeof ALTINN_CODES;

export class HttpFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.kind);
  }
}

export function fail(failure: Failure): never {
  throw new HttpFailure(failure);
}

const STATUS: Record<Exclude<Failure["kind"], "coded">, { status: number; title: string; type: string }> = {
  validation: {
    status: 400,
    title: "One or more validation errors occurred.",
    type: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
  },
  bad_request: { status: 400, title: "Bad Request", type: "https://tools.ietf.org/html/rfc9110#section-15.5.1" },
  unauthorized: { status: 401, title: "Unauthorized", type: "https://tools.ietf.org/html/rfc9110#section-15.5.2" },
  forbidden: { status: 403, title: "Forbidden", type: "https://tools.ietf.org/html/rfc9110#section-15.5.4" },
  not_found: { status: 404, title: "Not Found", type: "https://tools.ietf.org/html/rfc9110#section-15.5.5" },
  method_not_allowed: {
    status: 405,
    title: "Method Not Allowed",
    type: "https://tools.ietf.org/html/rfc9110#section-15.5.6",
  },
  conflict: { status: 409, title: "Conflict", type: "https://tools.ietf.org/html/rfc9110#section-15.5.10" },
  payload_too_large: {
    status: 413,
    title: "Payload Too Large",
    type: "https://tools.ietf.org/html/rfc9110#section-15.5.14",
  },
  unsupported_media_type: {
    status: 415,
    title: "Unsupported Media Type",
    type: "https://tools.ietf.org/html/rfc9110#section-15.5.16",
  },
  unavailable: {
    status: 503,
    title: "Service Unavailable",
    type: "https://tools.ietf.org/html/rfc9110#section-15.6.4",
  },
};

export function problemBody(failure: Failure, traceId: string): Record<string, unknown> {
  if (failure.kind === "coded") {
    const { status, text } = ALTINN_CODES[failure.code];
    const type = `urn:altinn:error:${failure.code}`;
    return { type, title: text, detail: text, status, code: failure.code, traceId };
  }
  const { status, title, type } = STATUS[failure.kind];
  const body: Record<string, unknown> = { type, title, status };
  if ("detail" in failure && failure.detail !== undefined) body.detail = failure.detail;
  body.traceId = traceId;
  if (failure.kind === "validation") body.errors = failure.errors;
  return body;
}

export function problemResponse(failure: Failure, traceId: string, headers?: HeadersInit): Response {
  const body = problemBody(failure, traceId);
  const h = new Headers(headers);
  h.set("content-type", "application/problem+json; charset=utf-8");
  return new Response(JSON.stringify(body), { status: body.status as number, headers: h });
}

/** One validation error under one property, the ASP.NET way. */
export function invalid(property: string, message: string): never {
  fail({ kind: "validation", errors: { [property]: [message] } });
}
