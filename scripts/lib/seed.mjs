// Demo data for `npm start`, written through the admin API so it takes the same path as an operator's.
import { mintToken } from "./devkeys.mjs";

export const DEMO = {
  org: "ttd",
  resource: "ttd-demo-events",
  app: "apps-test",
  // Contact register (SPEC §5.3): who receives what when an order names these.
  person: "01017012345", // Kari Nordmann, kari.nordmann@example.no
  reservedPerson: "02017012345", // Ola Reservert: reserved against digital notifications
  orgNo: "910000001", // Testdepartementet: post@ttd.example.no, varsel@ttd.example.no, mobile +4791000001
  orgUser: "1337", // registered for 910000001, opted in to the demo resource, read grant above
};

async function put(base, token, path, body) {
  const r = await fetch(base + path, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
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
  const contacts = "/admin/api/v1/contacts";
  await put(base, admin, `${contacts}/persons/${DEMO.person}`, {
    name: "Kari Nordmann",
    email: "kari.nordmann@example.no",
    mobile: "+4799999999",
    reserved: false,
  });
  await put(base, admin, `${contacts}/persons/${DEMO.reservedPerson}`, {
    name: "Ola Reservert",
    email: "ola.reservert@example.no",
    reserved: true,
  });
  await put(base, admin, `${contacts}/organizations/${DEMO.orgNo}`, {
    name: "Testdepartementet",
    emails: ["post@ttd.example.no", "varsel@ttd.example.no"],
    mobiles: ["+4791000001"],
  });
  await put(base, admin, `${contacts}/organizations/${DEMO.orgNo}/users/${DEMO.orgUser}`, {
    email: "user1337@ttd.example.no",
    mobile: "+4792000002",
    resources: [`urn:altinn:resource:${DEMO.resource}`],
  });
}

/** The demo subscription: ttd's demo events pushed to `npm start`'s receiver. Its secret is null when it already existed. */
export async function seedSubscription(base, keys, endPoint) {
  const token = await mintToken(keys, { org: DEMO.org, scope: "altinn:events.subscribe" });
  const r = await fetch(`${base}/events/api/v1/subscriptions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ endPoint, resourceFilter: `urn:altinn:resource:${DEMO.resource}` }),
  });
  if (r.status !== 201) throw new Error(`seeding the demo subscription failed: ${r.status} ${await r.text()}`);
  const body = await r.json();
  return { id: body.id, secret: body.secret ?? null };
}
