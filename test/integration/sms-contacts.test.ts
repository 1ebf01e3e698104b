import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSmsContacts } from "../../src/sms/contacts";
import { adminHeaders, putResource } from "../helpers/admin";
import { call, postJson, putJson } from "../helpers/http";

const C = "/admin/api/v1/contacts";
let admin: Record<string, string>;
const ndjson = (lines: unknown[]) => lines.map((l) => JSON.stringify(l)).join("\n");

beforeAll(async () => {
  admin = await adminHeaders();
});

describe("contact register mobiles (SPEC §5.3)", () => {
  it("stores a person's mobile, an organisation's mobiles and a user's mobile through PUT and shows them", async () => {
    expect((await putJson(`${C}/persons/05059012345`, { name: "Per", mobile: "+4791234567" }, admin)).status).toBe(200);
    expect(await (await call(`${C}/persons/05059012345`, { headers: admin })).json()).toMatchObject({
      mobile: "+4791234567",
    });
    expect(
      (
        await putJson(
          `${C}/organizations/940000001`,
          { name: "Org", emails: [], mobiles: ["+4791111111", "+4791111111", "92222222"] },
          admin,
        )
      ).status,
    ).toBe(200);
    expect(await (await call(`${C}/organizations/940000001`, { headers: admin })).json()).toEqual({
      orgNo: "940000001",
      name: "Org",
      emails: [],
      mobiles: ["+4791111111", "92222222"],
    });
    expect(
      (
        await putJson(
          `${C}/organizations/940000001/users/7`,
          { email: "u7@org.no", mobile: "+4793333333", resources: [] },
          admin,
        )
      ).status,
    ).toBe(200);
    expect(await (await call(`${C}/organizations/940000001/users/7`, { headers: admin })).json()).toMatchObject({
      email: "u7@org.no",
      mobile: "+4793333333",
    });
    const bad = await putJson(`${C}/organizations/940000001`, { name: "Org", emails: [], mobiles: ["call me"] }, admin);
    expect(bad.status).toBe(400);
  });

  it("imports mobiles as NDJSON and finds opted-in users' mobiles only with read on the resource", async () => {
    await putResource("sms-contacts-demo", "ttd", [{ subject: "/user/11", actions: ["read"] }]);
    const orgs = [{ orgNo: "940000002", name: "Mobil Import AS", emails: [], mobiles: ["+4794444444"] }];
    expect(await (await postJson(`${C}/organizations`, ndjson(orgs), admin, "application/x-ndjson")).json()).toEqual({
      imported: 1,
      rejected: [],
    });
    const users = [
      {
        orgNo: "940000002",
        userId: "11",
        email: "a@b.no",
        mobile: "+4795555555",
        resources: ["urn:altinn:resource:sms-contacts-demo"],
      },
      {
        orgNo: "940000002",
        userId: "12",
        email: "c@d.no",
        mobile: "+4796666666",
        resources: ["urn:altinn:resource:sms-contacts-demo"],
      },
    ];
    expect(
      await (await postJson(`${C}/organizations/users`, ndjson(users), admin, "application/x-ndjson")).json(),
    ).toEqual({ imported: 2, rejected: [] });
    const found = await loadSmsContacts(
      env,
      [{ organizationNumber: "940000002" }],
      "urn:altinn:resource:sms-contacts-demo",
    );
    expect(found.organizations.get("940000002")).toEqual({ name: "Mobil Import AS", mobiles: ["+4794444444"] });
    expect(found.orgUsers).toEqual([{ orgNo: "940000002", userId: "11", mobile: "+4795555555" }]);
    expect((await loadSmsContacts(env, [{ organizationNumber: "940000002" }], null)).orgUsers).toEqual([]);
  });
});
