// `npm start` without SMTP_HOST: the mail catcher starts, the Worker's SMTP provider sends to it,
// and the mail shows up in its web inbox and JSON API. Also checks the seeded demo contacts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM script without types
import { startMailCatcher } from "../../scripts/lib/mail-catcher.mjs";
// @ts-expect-error: plain ESM script without types
import { DEMO } from "../../scripts/lib/seed.mjs";
import { startVarsel, token, waitFor, type Varsel } from "./harness";

interface Caught {
  id: string;
  envelope: { from: string; to: string[] };
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
}

let varsel: Varsel;
let inbox: string;
beforeAll(async () => {
  varsel = await startVarsel({ VARSEL_TEST_ROUTES: "true", EMAIL_FROM: "noreply@varsel.test" });
  const m = varsel.output().match(/inbox at (http:\/\/localhost:\d+)/);
  if (!m) throw new Error(`no inbox URL in the npm start output:\n${varsel.output()}`);
  inbox = m[1]!;
});
afterAll(async () => {
  await varsel?.stop();
});

describe("the local mail catcher started by npm start", () => {
  it("receives the Worker's mail and shows it in the web inbox and the JSON API", async () => {
    const subject = `Inbox check ${crypto.randomUUID()} – æøå`;
    const res = await fetch(`${varsel.base}/__test/email/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        mails: [
          {
            to: "kari@example.no",
            from: "noreply@varsel.test",
            subject,
            body: "<p>Hei <i>Kari</i></p>",
            contentType: "Html",
            idempotencyKey: "inbox-check-1",
          },
        ],
      }),
    });
    expect(((await res.json()) as { results: { ok: boolean }[] }).results[0]!.ok).toBe(true);

    const [msg] = await waitFor(
      async () => {
        const list = (await (await fetch(`${inbox}/api/messages?to=kari@example.no`)).json()) as Caught[];
        const mine = list.filter((x) => x.subject === subject);
        return mine.length ? mine : null;
      },
      10_000,
      "the mail in the catcher",
    );
    expect(msg!.html.trim()).toBe("<p>Hei <i>Kari</i></p>");
    expect(msg!.messageId).toBe("<varsel.inbox-check-1@varsel.test>");
    expect(msg!.headers["x-idempotency-key"]).toBe("inbox-check-1");

    const page = await (await fetch(`${inbox}/`)).text();
    expect(page).toContain(subject);
    const view = await (await fetch(`${inbox}/messages/${msg!.id}`)).text();
    expect(view).toContain("kari@example.no");
    expect(view).toContain("&lt;p&gt;Hei &lt;i&gt;Kari&lt;/i&gt;&lt;/p&gt;"); // the HTML sits escaped in a sandboxed frame
    expect((await fetch(`${inbox}/api/messages/${msg!.id}/raw`)).headers.get("content-type")).toBe("message/rfc822");

    expect((await fetch(`${inbox}/api/messages`, { method: "DELETE" })).status).toBe(200);
    expect(await (await fetch(`${inbox}/api/count`)).json()).toEqual({ count: 0 });
  });

  it("has the demo contacts seeded", async () => {
    const admin = { authorization: `Bearer ${await token({ org: "digdir", scope: "varsel:admin" })}` };
    const user = await (
      await fetch(`${varsel.base}/admin/api/v1/contacts/organizations/${DEMO.orgNo}/users/${DEMO.orgUser}`, {
        headers: admin,
      })
    ).json();
    expect(user).toMatchObject({ resources: [`urn:altinn:resource:${DEMO.resource}`] });
    const reserved = await (
      await fetch(`${varsel.base}/admin/api/v1/contacts/persons/${DEMO.reservedPerson}`, { headers: admin })
    ).json();
    expect(reserved).toMatchObject({ reserved: true });
  });
});

describe("startMailCatcher on its own", () => {
  it("picks free ports for 0 and returns them", async () => {
    const c = await startMailCatcher({ smtpPort: 0, webPort: 0 });
    try {
      expect(c.smtpPort).toBeGreaterThan(0);
      expect(c.webPort).toBeGreaterThan(0);
      expect((await fetch(`http://localhost:${c.webPort}/api/messages`)).status).toBe(200);
    } finally {
      await c.close();
    }
  });
});
