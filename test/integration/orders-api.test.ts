import { beforeAll, describe, expect, it } from "vitest";
import { BASE, call, postJson, problem } from "../helpers/http";
import { putResource } from "../helpers/admin";
import { seedContacts } from "./orders-fixtures";
import { altinnToken, bearer, platformToken } from "../helpers/tokens";

const ORDERS = "/notifications/api/v1/orders";
const SCOPE = "altinn:serviceowner/notifications.create";
let ttd: Record<string, string>;
let other: Record<string, string>;

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
const order = (extra: Record<string, unknown> = {}) => ({
  subject: "Hei $recipientName$",
  body: "Melding til $recipientNumber$",
  recipients: [{ emailAddress: "a@example.com" }],
  ...extra,
});

async function place(body: unknown, headers = ttd): Promise<{ orderId: string; recipientLookup?: unknown }> {
  const res = await postJson(`${ORDERS}/email`, body, headers);
  if (res.status !== 202) throw new Error(`order: ${res.status} ${await res.text()}`);
  return res.json();
}

beforeAll(async () => {
  ttd = bearer(await altinnToken({ org: "ttd", scope: SCOPE }));
  other = bearer(await altinnToken({ org: "digdir", scope: SCOPE }));
  // An order may name only a resource its org owns or may notify on (SPEC §5.1).
  await putResource("ttd-demo", "ttd");
  await seedContacts([
    ["persons/01017012345", { name: "Ola Nordmann", email: "ola@example.com", mobile: null, reserved: false }],
    ["persons/02027012345", { name: "Kari Reservert", email: "kari@example.com", mobile: null, reserved: true }],
    ["organizations/910000111", { name: "Eksempel AS", emails: ["post@eksempel.example"] }],
  ]);
});

describe("POST /orders/email: who may order", () => {
  it("answers 401 without any valid token, 403 without the scope or an org claim", async () => {
    expect((await postJson(`${ORDERS}/email`, order())).status).toBe(401);
    expect((await postJson(`${ORDERS}/email`, order(), { authorization: "Bearer nonsense" })).status).toBe(401);
    expect((await postJson(`${ORDERS}/email`, order(), { platformaccesstoken: "nonsense" })).status).toBe(401);
    expect((await postJson(`${ORDERS}/email`, order(), bearer(await altinnToken({ org: "ttd" })))).status).toBe(403);
    expect(
      (await postJson(`${ORDERS}/email`, order(), bearer(await altinnToken({ user: "1337", scope: SCOPE })))).status,
    ).toBe(403);
    expect(
      (
        await postJson(
          `${ORDERS}/email`,
          order(),
          bearer(await altinnToken({ org: "ttd", scope: SCOPE, expiresIn: -120 })),
        )
      ).status,
    ).toBe(401);
  });

  it("accepts a Platform Access Token alone; the app's org is the creator", async () => {
    const res = await postJson(`${ORDERS}/email`, order({ requestedSendTime: inMinutes(60) }), {
      platformaccesstoken: await platformToken("ttd", "apps-test"),
    });
    expect(res.status).toBe(202);
    const { orderId } = (await res.json()) as { orderId: string };
    const read = await call(`${ORDERS}/${orderId}`, { headers: ttd });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: orderId, creator: "ttd" });
  });
});

describe("POST /orders/email: the answer", () => {
  it("answers 202 with an absolute Location and no recipientLookup for plain addresses", async () => {
    const res = await postJson(`${ORDERS}/email`, order({ requestedSendTime: inMinutes(60) }), ttd);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { orderId: string };
    expect(body).toEqual({ orderId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(res.headers.get("location")).toBe(`${BASE}${ORDERS}/${body.orderId}`);
  });

  it("reports the look-up of persons and organisations: reserved and missing contacts", async () => {
    const body = await place(
      order({
        requestedSendTime: inMinutes(60),
        recipients: [
          { nationalIdentityNumber: "01017012345" },
          { nationalIdentityNumber: "02027012345" },
          { organizationNumber: "910000111" },
          { organizationNumber: "999999999" },
        ],
      }),
    );
    expect(body.recipientLookup).toEqual({
      status: "PartialSuccess",
      isReserved: ["02027012345"],
      missingContact: ["999999999"],
    });
    const all = await place(
      order({ requestedSendTime: inMinutes(60), recipients: [{ nationalIdentityNumber: "01017012345" }] }),
    );
    expect(all.recipientLookup).toEqual({ status: "Success", isReserved: [], missingContact: [] });
  });

  it("answers 400 with Altinn's texts", async () => {
    const res = await postJson(
      `${ORDERS}/email`,
      {
        subject: "",
        body: "x",
        recipients: [{ nationalIdentityNumber: "1" }],
        requestedSendTime: "2030-01-01T10:00:00",
      },
      ttd,
    );
    expect(res.status).toBe(400);
    const p = await problem(res);
    expect(p.title).toBe("One or more validation errors occurred.");
    expect(p.errors).toEqual({
      Subject: ["'Subject' must not be empty."],
      Recipients: ["National identity number must be 11 digits long."],
      RequestedSendTime: ["The requested send time value must have specified a time zone."],
    });
    const past = await problem(await postJson(`${ORDERS}/email`, order({ requestedSendTime: inMinutes(-10) }), ttd));
    expect(past.errors).toEqual({
      RequestedSendTime: ["Send time must be in the future. Leave blank to send immediately."],
    });
  });

  it("never answers 500 to a mangled body", async () => {
    const values: unknown[] = [
      null,
      0,
      -1,
      1e308,
      "",
      "x",
      true,
      [],
      {},
      [null],
      [{}],
      { emailAddress: 5 },
      "2030-01-01T00:00:00Z",
      "\u0000",
      "a".repeat(5000),
    ];
    const keys = [
      "subject",
      "body",
      "recipients",
      "contentType",
      "requestedSendTime",
      "sendersReference",
      "resourceId",
      "ignoreReservation",
      "conditionEndpoint",
    ];
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const statuses = new Set<number>();
    for (let i = 0; i < 60; i++) {
      const body: Record<string, unknown> = order({ requestedSendTime: inMinutes(60) });
      for (let k = 0; k < 1 + rnd(3); k++) body[keys[rnd(keys.length)]!] = values[rnd(values.length)];
      const res = await postJson(`${ORDERS}/email`, i % 10 === 0 ? JSON.stringify(body).slice(0, 20) : body, ttd);
      statuses.add(res.status);
      expect([202, 400]).toContain(res.status);
    }
    for (const raw of ["[]", "null", '"text"', '{"recipients": {"emailAddress": "a@example.com"}}'])
      expect((await postJson(`${ORDERS}/email`, raw, ttd)).status).toBe(400);
    expect((await postJson(`${ORDERS}/email`, order(), ttd, "text/plain")).status).toBe(415);
    expect((await postJson(`${ORDERS}/email`, order({ body: "x".repeat(960_000) }), ttd)).status).toBe(413);
    expect((await postJson(`${ORDERS}/email`, order({ body: "x".repeat(1_000_001) }), ttd)).status).toBe(413);
    expect(statuses.has(400)).toBe(true);
  });
});

describe("reading and cancelling", () => {
  it("reads the order as stored, by sendersReference and its status; another org gets 404", async () => {
    const ref = `ref-${crypto.randomUUID()}`;
    const when = inMinutes(60);
    const { orderId } = await place(
      order({
        sendersReference: ref,
        requestedSendTime: when,
        contentType: "Html",
        resourceId: "urn:altinn:resource:ttd-demo",
        ignoreReservation: true,
        conditionEndpoint: "https://cond.example/check",
      }),
    );
    const res = await call(`${ORDERS}/${orderId}`, { headers: ttd });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: orderId,
      creator: "ttd",
      sendersReference: ref,
      requestedSendTime: when,
      created: expect.any(String),
      notificationChannel: "Email",
      ignoreReservation: true,
      resourceId: "urn:altinn:resource:ttd-demo",
      conditionEndpoint: "https://cond.example/check",
      recipients: [
        {
          emailAddress: "a@example.com",
          mobileNumber: null,
          organizationNumber: null,
          nationalIdentityNumber: null,
          isReserved: null,
        },
      ],
      emailTemplate: {
        fromAddress: expect.any(String),
        subject: "Hei $recipientName$",
        body: "Melding til $recipientNumber$",
        contentType: "Html",
      },
      smsTemplate: null,
      links: { self: `${BASE}${ORDERS}/${orderId}`, status: `${BASE}${ORDERS}/${orderId}/status` },
    });

    const list = (await (await call(`${ORDERS}?sendersReference=${ref}`, { headers: ttd })).json()) as {
      count: number;
      orders: { id: string }[];
    };
    expect(list.count).toBe(1);
    expect(list.orders[0]!.id).toBe(orderId);
    expect(await (await call(`${ORDERS}?sendersReference=${ref}`, { headers: other })).json()).toEqual({
      count: 0,
      orders: [],
    });
    expect((await call(ORDERS, { headers: ttd })).status).toBe(400);

    const status = (await (await call(`${ORDERS}/${orderId}/status`, { headers: ttd })).json()) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({
      id: orderId,
      processingStatus: {
        status: "Registered",
        description: "Order has been registered and is awaiting requested send time before processing.",
        lastUpdate: expect.any(String),
      },
      notificationsStatusSummary: {
        email: { links: { self: `${BASE}${ORDERS}/${orderId}/notifications/email` }, generated: 0, succeeded: 0 },
      },
    });
    expect(await (await call(`${ORDERS}/${orderId}/notifications/email`, { headers: ttd })).json()).toEqual({
      orderId,
      sendersReference: ref,
      generated: 0,
      succeeded: 0,
      notifications: [],
    });

    for (const path of ["", "/status", "/notifications/email"])
      expect((await call(`${ORDERS}/${orderId}${path}`, { headers: other })).status).toBe(404);
    expect((await call(`${ORDERS}/${crypto.randomUUID()}`, { headers: ttd })).status).toBe(404);
    expect((await call(`${ORDERS}/not-a-guid`, { headers: ttd })).status).toBe(404);
    expect((await call(`${ORDERS}/${orderId}`)).status).toBe(401);
  });

  it("cancels a registered order due later than five minutes, twice alike; 409 otherwise; another org 404", async () => {
    const { orderId } = await place(order({ requestedSendTime: inMinutes(30) }));
    expect((await call(`${ORDERS}/${orderId}/cancel`, { method: "PUT", headers: other })).status).toBe(404);
    for (let i = 0; i < 2; i++) {
      const res = await call(`${ORDERS}/${orderId}/cancel`, { method: "PUT", headers: ttd });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        id: orderId,
        processingStatus: { status: "Cancelled" },
        notificationsStatusSummary: { email: { generated: 0 } },
      });
    }
    const soon = await place(order({ requestedSendTime: inMinutes(3) }));
    const res = await call(`${ORDERS}/${soon.orderId}/cancel`, { method: "PUT", headers: ttd });
    expect(res.status).toBe(409);
    expect((await problem(res)).status).toBe(409);
  });
});
