// Issue 7 §1 end to end: one org's pathological source filter and matching events must not stall
// another org's pushes (one matcher serves every tenant). Real wrangler dev, real loopback receivers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startVarsel, token, waitFor, type Varsel } from "./harness";
import { startReceiver, varselClient, type Receiver } from "./receiver";

let varsel: Varsel;
let api: ReturnType<typeof varselClient>;
const receivers: Receiver[] = [];

beforeAll(async () => {
  varsel = await startVarsel({ VALIDATION_RETRY_SCHEDULE: "1,1,1" });
  api = varselClient(varsel.base);
});
afterAll(async () => {
  for (const r of receivers) await r.close();
  await varsel?.stop();
});

async function validated(tok: string, body: Record<string, unknown>): Promise<number> {
  const created = await api.subscribe(tok, body);
  expect(created.status).toBe(201);
  const id = created.body.id as number;
  await waitFor(
    async () => (await api.get(tok, `/events/api/v1/subscriptions/${id}`)).body.validated === true,
    60_000,
    `subscription ${id} validated`,
  );
  return id;
}

describe("a hostile tenant's source filter", () => {
  it("does not stall another org's push", async () => {
    const admin = await token({ org: "digdir", scope: "varsel:admin" });
    await api.putResource(admin, "evil-res", "evil", []);
    await api.putResource(admin, "victim-res", "ttd", []);
    const evil = await token({ org: "evil", scope: "altinn:events.publish altinn:events.subscribe" });
    const victim = await token({ org: "ttd", scope: "altinn:events.publish altinn:events.subscribe" });
    const evilRx = await startReceiver();
    const victimRx = await startReceiver();
    receivers.push(evilRx, victimRx);

    await validated(evil, {
      endPoint: evilRx.url,
      resourceFilter: "urn:altinn:resource:evil-res",
      sourceFilter: "https://x/%a%a%a%a%a%a%a%!",
    });
    await validated(victim, { endPoint: victimRx.url, resourceFilter: "urn:altinn:resource:victim-res" });

    // A backtracking matcher needs 13 s for 700 characters; these are 2,000 (sources hold at most 2,048).
    const longSource = `https://x/${"a".repeat(2_000)}`;
    for (let i = 0; i < 3; i++) {
      await api.publish(evil, {
        id: crypto.randomUUID(),
        type: "evil.event",
        source: longSource,
        resource: "urn:altinn:resource:evil-res",
      });
    }
    const matching = {
      id: crypto.randomUUID(),
      type: "evil.event",
      source: `${longSource}!`,
      resource: "urn:altinn:resource:evil-res",
    };
    await api.publish(evil, matching);
    const victimEvent = {
      id: crypto.randomUUID(),
      type: "victim.event",
      source: "https://victim.example/1",
      resource: "urn:altinn:resource:victim-res",
    };
    await api.publish(victim, victimEvent);

    // Generous deadline for a loaded machine; no timing is asserted.
    await waitFor(() => victimRx.pushes().some((p) => p.json.id === victimEvent.id), 90_000, "the other org's push");
    // The filter still means what it says: only the event whose source ends in "!" reached evil.
    await waitFor(() => evilRx.pushes().some((p) => p.json.id === matching.id), 90_000, "the matching push");
    expect(evilRx.pushes().map((p) => p.json.id)).toEqual([matching.id]);
  });
});
