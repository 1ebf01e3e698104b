import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { findOrganizations, findOrgUsersForResource, findPersons } from "../../src/contacts/lookup";
import { adminHeaders, putResource } from "../helpers/admin";
import { call, postJson, problem, putJson } from "../helpers/http";
import { altinnToken, bearer } from "../helpers/tokens";

const C = "/admin/api/v1/contacts";
let admin: Record<string, string>;
beforeAll(async () => {
  admin = await adminHeaders();
});

const ndjson = (lines: unknown[]) => lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n");
const postNdjson = (path: string, body: string, headers = admin) =>
  postJson(path, body, headers, "application/x-ndjson");
const nin = (i: number) => String(10_000_000_000 + i);
const orgNo = (i: number) => String(800_000_000 + i);

describe("contact register admin API", () => {
  it("stores and reads back a person, an organisation and an org user", async () => {
    let res = await putJson(
      `${C}/persons/01017012345`,
      { name: "Kari Nordmann", email: "kari@example.no", mobile: "+4799999999", reserved: true },
      admin,
    );
    expect(res.status).toBe(200);
    res = await call(`${C}/persons/01017012345`, { headers: admin });
    expect(await res.json()).toEqual({
      nin: "01017012345",
      name: "Kari Nordmann",
      email: "kari@example.no",
      mobile: "+4799999999",
      reserved: true,
    });

    res = await putJson(
      `${C}/organizations/910000001`,
      { name: "Testdepartementet", emails: ["post@ttd.no", "post@ttd.no", "varsel@ttd.no"] },
      admin,
    );
    expect(res.status).toBe(200);
    res = await call(`${C}/organizations/910000001`, { headers: admin });
    expect(await res.json()).toEqual({
      orgNo: "910000001",
      name: "Testdepartementet",
      emails: ["post@ttd.no", "varsel@ttd.no"],
      mobiles: [],
    });

    res = await putJson(
      `${C}/organizations/910000001/users/1001`,
      { email: "ola@ttd.no", resources: ["urn:altinn:resource:contacts-a", "app_ttd_some-app"] },
      admin,
    );
    expect(res.status).toBe(200);
    res = await call(`${C}/organizations/910000001/users/1001`, { headers: admin });
    expect(await res.json()).toEqual({
      orgNo: "910000001",
      userId: "1001",
      email: "ola@ttd.no",
      mobile: null,
      resources: ["urn:altinn:resource:app_ttd_some-app", "urn:altinn:resource:contacts-a"],
    });

    // A PUT replaces the opt-ins.
    await putJson(`${C}/organizations/910000001/users/1001`, { email: "ola@ttd.no", resources: [] }, admin);
    res = await call(`${C}/organizations/910000001/users/1001`, { headers: admin });
    expect(((await res.json()) as { resources: string[] }).resources).toEqual([]);

    res = await call(`${C}/organizations/910000001/users/1001`, { method: "DELETE", headers: admin });
    expect(res.status).toBe(200);
    expect((await call(`${C}/organizations/910000001/users/1001`, { headers: admin })).status).toBe(404);
  });

  it("answers 401 without a token and 403 without the admin scope", async () => {
    expect((await putJson(`${C}/persons/01017012345`, { name: "x" })).status).toBe(401);
    const other = bearer(await altinnToken({ org: "ttd", scope: "altinn:serviceowner/notifications.create" }));
    expect((await putJson(`${C}/persons/01017012345`, { name: "x" }, other)).status).toBe(403);
    expect((await call(`${C}/organizations/910000001`, { headers: other })).status).toBe(403);
  });

  it("rejects bad keys and bodies with the property and a clear message", async () => {
    let p = await problem(await putJson(`${C}/persons/123`, { name: "x" }, admin));
    expect(p.status).toBe(400);
    expect(p.errors).toEqual({ $: ["National identity number must be 11 digits long."] });

    p = await problem(
      await putJson(`${C}/persons/01017012345`, { name: "", email: "not-an-address", reserved: "yes" }, admin),
    );
    expect(p.errors).toMatchObject({
      Name: ["'Name' must not be empty."],
      Email: ["Invalid email address format."],
      Reserved: ["'Reserved' must be true or false."],
    });

    p = await problem(await putJson(`${C}/organizations/12345/users/1`, { email: "a@b.no" }, admin));
    expect(p.errors).toEqual({ $: ["Organization number must be 9 digits long."] });

    p = await problem(
      await putJson(`${C}/organizations/910000001/users/1`, { email: "a@b.no", resources: ["ttd-demo-events"] }, admin),
    );
    expect(p.errors).toEqual({ Resources: ["A resource id must be 'urn:altinn:resource:{id}' or 'app_{org}_{app}'."] });

    p = await problem(await putJson(`${C}/organizations/910000001`, { emails: "a@b.no" }, admin));
    expect(p.errors).toMatchObject({
      Name: ["'Name' is required."],
      Emails: ["'Emails' must be an array of e-mail addresses."],
    });

    expect((await call(`${C}/persons/01017012399`, { headers: admin })).status).toBe(404);
  });
});

describe("NDJSON bulk import", () => {
  it("imports good lines, rejects bad ones with their 1-based line numbers", async () => {
    const body = ndjson([
      { nin: "02029012345", name: "A", email: "a@example.no" },
      "{not json",
      "",
      { nin: "123", name: "B" },
      [1, 2],
      { nin: "03039012345", name: "C", reserved: true },
      { nin: "02029012345", name: "A2", email: "a2@example.no" },
    ]);
    const res = await postNdjson(`${C}/persons`, body + "\r\n");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      imported: 3,
      rejected: [
        { line: 2, error: "The line is not valid JSON." },
        { line: 4, error: "Nin: National identity number must be 11 digits long." },
        { line: 5, error: "Each line must be a JSON object." },
      ],
    });
    const a = await (await call(`${C}/persons/02029012345`, { headers: admin })).json();
    expect(a).toMatchObject({ name: "A2", email: "a2@example.no", reserved: false });
    expect(await (await call(`${C}/persons/03039012345`, { headers: admin })).json()).toMatchObject({
      name: "C",
      email: null,
      reserved: true,
    });
  });

  it("imports 12,000 persons in one file and finds every one of them (far past D1's 100 parameters)", async () => {
    const lines = Array.from({ length: 12_000 }, (_, i) => ({
      nin: nin(i),
      name: `Person ${i}`,
      email: `p${i}@example.no`,
      reserved: i % 7 === 0,
    }));
    const res = await postNdjson(`${C}/persons`, ndjson(lines));
    expect(await res.json()).toEqual({ imported: 12_000, rejected: [] });

    const wanted = Array.from({ length: 12_000 }, (_, i) => nin(i)).concat(["99999999999"]);
    const found = await findPersons(env, wanted);
    expect(found.size).toBe(12_000);
    expect(found.get(nin(7))).toEqual({ nin: nin(7), name: "Person 7", email: "p7@example.no", reserved: true });
    expect(found.get(nin(8))?.reserved).toBe(false);
    expect(found.has("99999999999")).toBe(false);
  });

  it("imports organisations and users; wrong content type is 415, an oversized body 413", async () => {
    let res = await postNdjson(
      `${C}/organizations`,
      ndjson([
        { orgNo: "920000001", name: "Org One", emails: ["one@org.no"] },
        { orgNo: "920000002", name: "Org Two", emails: ["bad"] },
      ]),
    );
    expect(await res.json()).toEqual({
      imported: 1,
      rejected: [{ line: 2, error: "Emails: Invalid email address format." }],
    });
    res = await postNdjson(
      `${C}/organizations/users`,
      ndjson([
        { orgNo: "920000001", userId: "5", email: "u5@org.no", resources: ["urn:altinn:resource:x-y"] },
        { orgNo: "920000001", email: "u6@org.no" },
      ]),
    );
    expect(await res.json()).toEqual({
      imported: 1,
      rejected: [{ line: 2, error: "UserId: A user id must be 1 to 18 digits." }],
    });
    expect(await (await call(`${C}/organizations/920000001/users/5`, { headers: admin })).json()).toMatchObject({
      resources: ["urn:altinn:resource:x-y"],
    });

    expect((await postJson(`${C}/persons`, ndjson([{ nin: nin(1), name: "x" }]), admin)).status).toBe(415);
    const big = "x".repeat(10 * 1024 * 1024 + 1);
    expect((await postNdjson(`${C}/persons`, big)).status).toBe(413);
  });
});

describe("look-ups for order processing", () => {
  it("finds organisations' official addresses in batches", async () => {
    const lines = Array.from({ length: 1_500 }, (_, i) => ({
      orgNo: orgNo(i),
      name: `Org ${i}`,
      emails: [`post@org${i}.no`, `info@org${i}.no`],
    }));
    expect(await (await postNdjson(`${C}/organizations`, ndjson(lines))).json()).toEqual({
      imported: 1_500,
      rejected: [],
    });
    const found = await findOrganizations(env, lines.map((l) => l.orgNo).concat(["999999999"]));
    expect(found.size).toBe(1_500);
    expect(found.get(orgNo(42))).toEqual({
      orgNo: orgNo(42),
      name: "Org 42",
      emails: ["post@org42.no", "info@org42.no"],
    });
  });

  it("returns only users who opted in to the resource and hold read on it, for either resource id form", async () => {
    await putResource("contacts-demo", "ttd", [
      { subject: "/user/1", actions: ["read"] },
      { subject: "/user/2", actions: ["read"] },
      { subject: "/user/3", actions: ["subscribe"] },
      { subject: "/org/ttd", actions: ["read"] },
    ]);
    const users = [
      { orgNo: "930000001", userId: "1", email: "one@a.no", resources: ["urn:altinn:resource:contacts-demo"] }, // yes
      { orgNo: "930000001", userId: "2", email: "two@a.no", resources: ["urn:altinn:resource:other"] }, // not opted in
      { orgNo: "930000001", userId: "3", email: "three@a.no", resources: ["urn:altinn:resource:contacts-demo"] }, // no read
      { orgNo: "930000001", userId: "4", email: "four@a.no", resources: ["urn:altinn:resource:contacts-demo"] }, // no grant at all
      { orgNo: "930000002", userId: "2", email: "two@b.no", resources: ["urn:altinn:resource:contacts-demo"] }, // yes, other org
      { orgNo: "930000003", userId: "1", email: "one@c.no", resources: ["urn:altinn:resource:contacts-demo"] }, // org not asked for
    ];
    expect(await (await postNdjson(`${C}/organizations/users`, ndjson(users))).json()).toEqual({
      imported: 6,
      rejected: [],
    });
    const got = await findOrgUsersForResource(env, ["930000001", "930000002"], "urn:altinn:resource:contacts-demo");
    expect(got).toEqual([
      { orgNo: "930000001", userId: "1", email: "one@a.no" },
      { orgNo: "930000002", userId: "2", email: "two@b.no" },
    ]);

    // Policy changes apply at once.
    await putResource("contacts-demo", "ttd", [{ subject: "/user/2", actions: ["read"] }]);
    expect(await findOrgUsersForResource(env, ["930000001", "930000002"], "urn:altinn:resource:contacts-demo")).toEqual(
      [{ orgNo: "930000002", userId: "2", email: "two@b.no" }],
    );
    expect(await findOrgUsersForResource(env, ["930000001"], "urn:altinn:resource:unknown-resource")).toEqual([]);
  });

  it("matches an app resource whether the user or the order names it app_{org}_{app} or as a URN", async () => {
    await putResource("app_ttd_contact-app", "ttd", [{ subject: "/user/77", actions: ["read"] }]);
    await putJson(
      `${C}/organizations/940000001/users/77`,
      { email: "u77@x.no", resources: ["app_ttd_contact-app"] },
      admin,
    );
    await putJson(
      `${C}/organizations/940000001/users/78`,
      { email: "u78@x.no", resources: ["urn:altinn:resource:app_ttd_contact-app"] },
      admin,
    );
    const expected = [{ orgNo: "940000001", userId: "77", email: "u77@x.no" }];
    expect(await findOrgUsersForResource(env, ["940000001"], "app_ttd_contact-app")).toEqual(expected);
    expect(await findOrgUsersForResource(env, ["940000001"], "urn:altinn:resource:app_ttd_contact-app")).toEqual(
      expected,
    );
  });

  it("answers empty maps for empty input", async () => {
    expect((await findPersons(env, [])).size).toBe(0);
    expect((await findOrganizations(env, [])).size).toBe(0);
    expect(await findOrgUsersForResource(env, [], "urn:altinn:resource:contacts-demo")).toEqual([]);
  });
});

describe("contact register in the OpenAPI document", () => {
  it("documents the single-record and the NDJSON bulk routes", async () => {
    const doc = await (await call("/openapi.json")).json<{
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
    }>();
    expect(doc.paths[`${C}/persons/{nin}`]?.put?.requestBody?.content["application/json"]).toBeDefined();
    expect(doc.paths[`${C}/organizations/{orgNo}/users/{userId}`]?.get).toBeDefined();
    expect(doc.paths[`${C}/organizations/users`]?.post?.requestBody?.content["application/x-ndjson"]).toBeDefined();
    expect(doc.paths["/__test/email/send"]).toBeUndefined();
  });
});
