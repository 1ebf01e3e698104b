// Demo data for `npm start`, written through the admin API so it takes the same path as an operator's.
import { mintToken } from "./devkeys.mjs";

export const DEMO = {
  org: "ttd",
  resource: "ttd-demo-events",
  app: "apps-test",
};

async function put(base, token, path, body) {
  const r = await fetch(base + path, { method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`seeding ${path} failed: ${r.status} ${await r.text()}`);
}

export async function seed(base, keys) {
  const admin = await mintToken(keys, { org: "digdir", scope: "varsel:admin" });
  await put(base, admin, `/admin/api/v1/resources/${DEMO.resource}`, {
    owner: DEMO.org,
    title: "Demo events of Testdepartementet",
    grants: [
      { subject: "/org/digdir", actions: ["subscribe", "read"] },
      { subject: "/organisation/991825827", actions: ["subscribe", "read"] },
      { subject: "/user/1337", actions: ["read"] },
    ],
  });
}
