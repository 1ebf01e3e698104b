// Ids never leak existence (SPEC §7.4) and Altinn's wire habits (SPEC §4.2, §4.3; issue 7 §5, §8).
import { beforeAll, describe, expect, it } from "vitest";
import { putResource } from "../helpers/admin";
import { BASE, call, postJson, problem } from "../helpers/http";
import { altinnToken, bearer, platformToken } from "../helpers/tokens";

const GUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
const SUBS = "/events/api/v1/subscriptions";

async function appEvent(org: string, app: string, party: string): Promise<{ id: string; location: string | null }> {
  const res = await postJson(
    "/events/api/v1/app",
    {
      type: "app.instance.created",
      source: `https://${org}.apps.example/${org}/${app}/instances/${party}/${GUID}`,
      subject: `/party/${party}`,
      specversion: "1.0",
    },
    { ...bearer(await altinnToken({ org })), platformaccesstoken: await platformToken(org, app) },
  );
  expect(res.status).toBe(201);
  return { id: await res.json<string>(), location: res.headers.get("location") };
}

const idsOf = async (res: Response) => {
  expect(res.status).toBe(200);
  return (await res.json<{ id: string }[]>()).map((e) => e.id);
};

describe("after: an id not held reads from the start; a malformed Varsel cursor is a 400 (SPEC §4.3)", () => {
  it("GET /app/{org}/{app}", async () => {
    const a = await appEvent("iso", "after-app", "61001");
    const b = await appEvent("iso", "after-app", "61002");
    const org = bearer(await altinnToken({ org: "iso" }));
    const path = "/events/api/v1/app/iso/after-app";
    expect(await idsOf(await call(`${path}?after=${crypto.randomUUID()}`, { headers: org }))).toEqual([a.id, b.id]);
    expect(await idsOf(await call(`${path}?after=not-an-id-at-all`, { headers: org }))).toEqual([a.id, b.id]);
    expect(await idsOf(await call(`${path}?after=${a.id}`, { headers: org }))).toEqual([b.id]);
    const bad = await call(`${path}?after=vc1.!!`, { headers: org });
    expect(bad.status).toBe(400);
    expect((await problem(bad)).detail).toMatch(/after/);
  });

  it("GET /events", async () => {
    await putResource("iso-generic", "iso");
    const h = bearer(await altinnToken({ org: "iso", scope: "altinn:events.publish altinn:events.subscribe" }));
    const e = {
      id: crypto.randomUUID(),
      type: "t",
      source: "https://iso.example/x",
      specversion: "1.0",
      resource: "urn:altinn:resource:iso-generic",
    };
    expect((await postJson("/events/api/v1/events", e, h)).status).toBe(200);
    const path = "/events/api/v1/events?resource=urn:altinn:resource:iso-generic";
    expect(await idsOf(await call(`${path}&after=${crypto.randomUUID()}`, { headers: h }))).toEqual([e.id]);
    expect((await call(`${path}&after=vc1.`, { headers: h })).status).toBe(400);
  });

  it("GET /app/party: another tenant's real id and a made-up id answer alike", async () => {
    const mine = await appEvent("iso", "party-iso", "62001");
    const foreign = await appEvent("other", "party-iso", "62999");
    const user = bearer(await altinnToken({ user: "62001", party: "62001" }));
    const read = (after: string) => call(`/events/api/v1/app/party?after=${after}&party=62001`, { headers: user });
    const withForeign = await read(foreign.id);
    const withMadeUp = await read(crypto.randomUUID());
    expect(withForeign.status).toBe(withMadeUp.status);
    expect(await idsOf(withForeign)).toEqual(await idsOf(withMadeUp));
    expect(await idsOf(await read(foreign.id))).toContain(mine.id);
  });
});

describe("subscriptions: another consumer's id answers exactly like an unknown id (404)", () => {
  let ownerId: number;
  let thief: Record<string, string>;

  beforeAll(async () => {
    await putResource("iso-subs", "iso");
    const owner = bearer(await altinnToken({ org: "iso", scope: "altinn:events.subscribe" }));
    const res = await postJson(
      SUBS,
      { endPoint: "http://127.0.0.1:9/hook", resourceFilter: "urn:altinn:resource:iso-subs" },
      owner,
    );
    expect(res.status).toBe(201);
    ownerId = ((await res.json()) as { id: number }).id;
    thief = bearer(await altinnToken({ org: "thief", scope: "altinn:events.subscribe" }));
  });

  const requests: [string, string, string][] = [
    ["GET", "", ""],
    ["DELETE", "", ""],
    ["GET", "/deliveries", ""],
    ["POST", "/deliveries/some-event/redeliver", ""],
    ["POST", "/recover", "?since=2020-01-01T00:00:00Z"],
  ];

  it.each(requests)("%s /subscriptions/{id}%s", async (method, suffix, query) => {
    const unknown = 987_654_321;
    const theirs = await call(`${SUBS}/${ownerId}${suffix}${query}`, { method, headers: thief });
    const none = await call(`${SUBS}/${unknown}${suffix}${query}`, { method, headers: thief });
    expect(theirs.status).toBe(404);
    expect(none.status).toBe(404);
    const [p1, p2] = [await problem(theirs), await problem(none)];
    expect(Object.keys(p1).sort()).toEqual(Object.keys(p2).sort());
    expect(p1.title).toBe(p2.title);
    expect(p1.detail!.replace(String(ownerId), "ID")).toBe(p2.detail!.replace(String(unknown), "ID"));
  });

  it("the owner still sees it, and the thief's attempts changed nothing", async () => {
    const owner = bearer(await altinnToken({ org: "iso", scope: "altinn:events.subscribe" }));
    expect((await call(`${SUBS}/${ownerId}`, { headers: owner })).status).toBe(200);
  });

  it("deliveries?after=<an id never pushed> reads from the newest, a malformed cursor is 400", async () => {
    const owner = bearer(await altinnToken({ org: "iso", scope: "altinn:events.subscribe" }));
    const res = await call(`${SUBS}/${ownerId}/deliveries?after=${crypto.randomUUID()}`, { headers: owner });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ count: 0, deliveries: [] });
    expect((await call(`${SUBS}/${ownerId}/deliveries?after=vc1.%21`, { headers: owner })).status).toBe(400);
  });
});

describe("repeated slashes in a path are one (SPEC §4.3)", () => {
  it("GET /subscriptions//{id} is GET /subscriptions/{id}", async () => {
    await putResource("iso-slash", "iso");
    const owner = bearer(await altinnToken({ org: "iso", scope: "altinn:events.subscribe" }));
    const created = await postJson(
      SUBS,
      { endPoint: "http://127.0.0.1:9/slash", resourceFilter: "urn:altinn:resource:iso-slash" },
      owner,
    );
    const { id } = (await created.json()) as { id: number };
    const res = await call(`/events/api/v1/subscriptions//${id}`, { headers: owner });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: number }).id).toBe(id);
    expect((await call(`//events/api/v1//subscriptions///${id}`, { headers: owner })).status).toBe(200);
  });
});

describe("POST /app answers 201 with a Location naming the new id (SPEC §4.2)", () => {
  it("sets Location", async () => {
    const { id, location } = await appEvent("iso", "location-app", "63001");
    expect(location).not.toBeNull();
    expect(location).toContain(id);
    expect(BASE).toBeTruthy();
  });
});

describe("orders: another org's id answers exactly like an unknown id (404)", () => {
  it.each(["", "/status", "/notifications/email"])("GET /orders/{id}%s", async (suffix) => {
    const scope = "altinn:serviceowner/notifications.create";
    const owner = bearer(await altinnToken({ org: "iso", scope }));
    const other = bearer(await altinnToken({ org: "thief", scope }));
    const placed = await postJson(
      "/notifications/api/v1/orders/email",
      {
        subject: "s",
        body: "b",
        recipients: [{ emailAddress: "a@example.com" }],
        requestedSendTime: new Date(Date.now() + 3600_000).toISOString(),
      },
      owner,
    );
    const { orderId } = (await placed.json()) as { orderId: string };
    const theirs = await call(`/notifications/api/v1/orders/${orderId}${suffix}`, { headers: other });
    const none = await call(`/notifications/api/v1/orders/${crypto.randomUUID()}${suffix}`, { headers: other });
    expect([theirs.status, none.status]).toEqual([404, 404]);
    const [p1, p2] = [await problem(theirs), await problem(none)];
    expect({ ...p1, traceId: "" }).toEqual({ ...p2, traceId: "" });
    const cancel = await call(`/notifications/api/v1/orders/${orderId}/cancel`, { method: "PUT", headers: other });
    expect(cancel.status).toBe(404);
  });
});
