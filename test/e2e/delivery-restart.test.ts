// Nothing lost across a restart: the push in flight when wrangler dev stops is delivered once it
// runs again on the same state directory (the queue lives in the Durable Object's storage).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { startVarsel, token, waitFor, type Varsel } from "./harness";
import { startReceiver, varselClient, type Receiver } from "./receiver";

const stateDir = mkdtempSync(join(tmpdir(), "varsel-restart-"));
let varsel: Varsel | undefined;
let rx: Receiver | undefined;
afterAll(async () => {
  await rx?.close();
  await varsel?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

it("a push cut off by a restart is delivered after it, with the same webhook-id", async () => {
  const config = { VARSEL_STATE_DIR: stateDir, PUSH_RETRY_SCHEDULE: "1,1,1" };
  varsel = await startVarsel(config);
  const api = varselClient(varsel.base);
  const [admin, publisher, subscriber] = await Promise.all([
    token({ org: "digdir", scope: "varsel:admin" }),
    token({ org: "ttd", scope: "altinn:events.publish" }),
    token({ org: "digdir", scope: "altinn:events.subscribe" }),
  ]);
  let down = true;
  // Answers the handshake, then never answers a push until the restart.
  rx = await startReceiver({
    answer: (r) =>
      r.json.type === "platform.events.validatesubscription" ? { status: 200 } : down ? "hang" : { status: 200 },
  });
  await api.putResource(admin, "e2e-restart", "ttd", [{ subject: "/org/digdir", actions: ["subscribe"] }]);
  const sub = await api.subscribe(subscriber, { endPoint: rx.url, resourceFilter: "urn:altinn:resource:e2e-restart" });
  await waitFor(
    async () => (await api.get(subscriber, `/events/api/v1/subscriptions/${sub.body.id}`)).body.validated,
    30_000,
    "validated",
  );
  const id = crypto.randomUUID();
  await api.publish(publisher, {
    id,
    type: "e2e.restart",
    source: "https://e2e.example/restart",
    resource: "urn:altinn:resource:e2e-restart",
  });
  await waitFor(() => rx!.pushes().length === 1, 30_000, "the push in flight");

  await varsel.stop();
  down = false;
  varsel = await startVarsel(config);
  await waitFor(() => rx!.pushes().length >= 2, 60_000, "the push after the restart");
  const [cut, again] = rx.pushes();
  expect(again!.json.id).toBe(id);
  expect(again!.headers["webhook-id"]).toBe(cut!.headers["webhook-id"]);
  const d = (await varselClient(varsel.base).get(subscriber, `/events/api/v1/subscriptions/${sub.body.id}/deliveries`))
    .body;
  expect(d.deliveries[0]).toMatchObject({ eventId: id, status: "delivered" });
});
