export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { status, headers: h });
}

export function empty(status = 200, headers?: HeadersInit): Response {
  return new Response(null, { status, headers });
}
