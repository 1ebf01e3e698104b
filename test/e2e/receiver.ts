// A real webhook receiver on loopback for end-to-end tests and the push benchmark: records every
// request and answers as the test says (status, headers, or not at all).
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: { id?: string; type?: string; source?: string; [k: string]: unknown };
  /** performance.now() when the request's body was complete. */
  at: number;
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string } | "hang" | "drop";

export interface Receiver {
  url: string;
  port: number;
  /** Every request, validation events included, in arrival order. */
  all: Received[];
  /** Requests other than the validation handshake. */
  pushes: () => Received[];
  validations: () => Received[];
  /** How to answer the next request; the default answers 200. */
  answer: (fn: (r: Received) => Answer) => void;
  close: () => Promise<void>;
}

const isValidation = (r: Received) => r.json.type === "platform.events.validatesubscription";

export async function startReceiver(
  opts: { port?: number; answer?: (r: Received) => Answer; onPush?: (r: Received) => void } = {},
): Promise<Receiver> {
  let answer = opts.answer ?? (() => ({ status: 200 }));
  const all: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      let json: Received["json"] = {};
      try {
        json = JSON.parse(body);
      } catch {}
      const r: Received = { headers: req.headers, body, json, at: performance.now() };
      all.push(r);
      if (!isValidation(r)) opts.onPush?.(r);
      const a = answer(r);
      if (a === "hang") return void hanging.add(res);
      if (a === "drop") return void req.socket.destroy();
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    all,
    pushes: () => all.filter((r) => !isValidation(r)),
    validations: () => all.filter(isValidation),
    answer: (fn) => (answer = fn),
    close: async () => {
      for (const res of hanging) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Small typed calls to a running Varsel for subscription tests and the push benchmark. */
export function varselClient(base: string) {
  const headers = (token: string, extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    ...extra,
  });
  return {
    async putResource(
      admin: string,
      id: string,
      owner: string,
      grants: { subject: string; actions: string[] }[],
    ): Promise<void> {
      const r = await fetch(`${base}/admin/api/v1/resources/${id}`, {
        method: "PUT",
        headers: headers(admin),
        body: JSON.stringify({ owner, title: id, grants }),
      });
      if (r.status !== 200) throw new Error(`putResource ${id}: ${r.status} ${await r.text()}`);
    },
    async subscribe(
      token: string,
      body: Record<string, unknown>,
    ): Promise<{ status: number; body: any; location: string | null }> {
      const r = await fetch(`${base}/events/api/v1/subscriptions`, {
        method: "POST",
        headers: headers(token),
        body: JSON.stringify(body),
      });
      return { status: r.status, body: await r.json(), location: r.headers.get("location") };
    },
    async get(token: string, path: string): Promise<{ status: number; body: any; headers: Headers }> {
      const r = await fetch(`${base}${path}`, { headers: headers(token) });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null, headers: r.headers };
    },
    async send(token: string, method: string, path: string): Promise<{ status: number; body: any }> {
      const r = await fetch(`${base}${path}`, { method, headers: headers(token) });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    },
    /** Publishes a generic event; resolves once Varsel has stored it. */
    async publish(token: string, event: Record<string, unknown>): Promise<void> {
      const r = await fetch(`${base}/events/api/v1/events`, {
        method: "POST",
        headers: headers(token, { "content-type": "application/cloudevents+json" }),
        body: JSON.stringify({ specversion: "1.0", ...event }),
      });
      if (r.status !== 200) throw new Error(`publish: ${r.status} ${await r.text()}`);
    },
  };
}
