// The list endpoints the console needs, as public API: GET /admin/api/v1/resources and
// GET /notifications/api/v1/list/orders, paged like §4.3 (cursor in `after`, a `next` header).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { orderListSql } from "../../src/notifications/list-routes";
import { adminHeaders, putResource } from "../helpers/admin";
import { BASE, call, postJson, problem } from "../helpers/http";
import { expectIndexed, queryPlan } from "../helpers/query-plan";
import { altinnToken, bearer } from "../helpers/tokens";

/** Follows `next` links from `path` until an empty page; returns every page's items. */
async function walk<T>(path: string, key: string, headers: Record<string, string>): Promise<T[][]> {
  const pages: T[][] = [];
  let next: string | null = path;
  while (next) {
    const res = await call(next.startsWith(BASE) ? next.slice(BASE.length) : next, { headers });
    expect(res.status).toBe(200);
    const body = await res.json<Record<string, T[]>>();
    const items = body[key]!;
    if (!items.length) {
      expect(res.headers.get("next")).toBeNull();
      break;
    }
    pages.push(items);
    next = res.headers.get("next");
    expect(next).toMatch(/^https:\/\/varsel\.test\//);
    if (pages.length > 200) throw new Error("too many pages");
  }
  return pages;
}

describe("GET /admin/api/v1/resources", () => {
  it("lists every resource once, in id order, across pages", async () => {
    const tag = crypto.randomUUID().slice(0, 6);
    const ids = [`zz-${tag}-a`, `zz-${tag}-b`, `zz-${tag}-c`];
    for (const id of ids) await putResource(id, "ttd", [{ subject: "/org/digdir", actions: ["read"] }]);
    const pages = await walk<{ id: string; owner: string; grants: unknown[] }>(
      "/admin/api/v1/resources?size=2",
      "resources",
      await adminHeaders(),
    );
    expect(pages.every((p) => p.length <= 2)).toBe(true);
    const all = pages.flat();
    const seen = all.map((r) => r.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
    expect(seen).toEqual(expect.arrayContaining(ids));
    expect(all.find((r) => r.id === ids[0])).toEqual({
      id: ids[0],
      owner: "ttd",
      title: ids[0],
      grants: [{ subject: "/org/digdir", actions: ["read"] }],
    });
  });

  it("needs varsel:admin, and refuses a cursor it did not issue", async () => {
    const reader = bearer(await altinnToken({ org: "ttd", scope: "altinn:events.subscribe" }));
    expect((await call("/admin/api/v1/resources", { headers: reader })).status).toBe(403);
    expect((await call("/admin/api/v1/resources")).status).toBe(401);
    const bad = await call("/admin/api/v1/resources?after=not-a-cursor", { headers: await adminHeaders() });
    expect(bad.status).toBe(400);
    expect((await problem(bad)).errors).toHaveProperty("After");
    expect((await call("/admin/api/v1/resources?size=0", { headers: await adminHeaders() })).status).toBe(400);
  });
});

describe("GET /notifications/api/v1/list/orders", () => {
  const later = () => new Date(Date.now() + 86_400_000).toISOString();
  async function place(org: string, ref: string): Promise<string> {
    const headers = bearer(await altinnToken({ org, scope: "altinn:serviceowner/notifications.create" }));
    const res = await postJson(
      "/notifications/api/v1/orders/email",
      {
        recipients: [{ emailAddress: "kari@example.com" }],
        subject: "s",
        body: "b",
        sendersReference: ref,
        requestedSendTime: later(),
      },
      headers,
    );
    expect(res.status).toBe(202);
    return ((await res.json()) as { orderId: string }).orderId;
  }

  it("lists the caller's org's orders newest first across pages, and no other org's", async () => {
    const org = `o${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
    const placed: string[] = [];
    for (const ref of ["one", "two", "three"]) {
      placed.push(await place(org, ref));
      await new Promise((r) => setTimeout(r, 5)); // distinct creation times, so "newest first" is defined
    }
    await place("digdir", "not-yours");
    const headers = bearer(await altinnToken({ org, scope: "altinn:serviceowner/notifications.create" }));
    const pages = await walk<{
      id: string;
      sendersReference: string;
      created: string;
      processingStatus: { status: string };
    }>("/notifications/api/v1/list/orders?size=2", "orders", headers);
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    const all = pages.flat();
    expect(all.map((o) => o.sendersReference)).toEqual(["three", "two", "one"]);
    expect(all.map((o) => o.id)).toEqual([...placed].reverse());
    expect(all[0]!.processingStatus.status).toBe("Registered");
  });

  it("reports each order's own channel: an SMS order is Sms, an e-mail order Email", async () => {
    const org = `o${crypto.randomUUID().replace(/-/g, "").slice(0, 8)}`;
    const headers = bearer(await altinnToken({ org, scope: "altinn:serviceowner/notifications.create" }));
    const emailId = await place(org, "mail");
    const sms = await postJson(
      "/notifications/api/v1/orders/sms",
      {
        recipients: [{ mobileNumber: "+4799999999" }],
        body: "b",
        sendersReference: "text",
        requestedSendTime: later(),
      },
      headers,
    );
    expect(sms.status).toBe(202);
    const smsId = ((await sms.json()) as { orderId: string }).orderId;
    const res = await call("/notifications/api/v1/list/orders", { headers });
    expect(res.status).toBe(200);
    const { orders } = (await res.json()) as { orders: { id: string; notificationChannel: string }[] };
    const channel = Object.fromEntries(orders.map((o) => [o.id, o.notificationChannel]));
    expect(channel).toEqual({ [emailId]: "Email", [smsId]: "Sms" });
  });

  it("needs the notifications scope and an org; refuses a foreign cursor", async () => {
    const noScope = bearer(await altinnToken({ org: "ttd", scope: "altinn:events.subscribe" }));
    expect((await call("/notifications/api/v1/list/orders", { headers: noScope })).status).toBe(403);
    const headers = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
    const bad = await call("/notifications/api/v1/list/orders?after=rc1.eyJ4Ijp9", { headers });
    expect(bad.status).toBe(400);
    await problem(bad);
  });

  it("reads each page through the (creator, created, id) index, without a sort", async () => {
    expectIndexed(await queryPlan(env.DB, orderListSql(false), "ttd", 50));
    expectIndexed(
      await queryPlan(
        env.DB,
        orderListSql(true),
        "ttd",
        "2026-01-01T00:00:00.000Z",
        "2026-01-01T00:00:00.000Z",
        "x",
        50,
      ),
    );
  });
});
