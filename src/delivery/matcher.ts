/**
 * The `varsel-events` queue consumer: matches each stored event against the subscriptions of its
 * resource and hands it to each matching subscription's Durable Object, which persists it before
 * answering. Candidates come from the resource index and are cached per isolate; the cache is
 * dropped whenever the subscriptions' generation (bumped on create, delete, disable) moves.
 */
import type { Env } from "../env";
import type { EventMessage } from "../events/dispatch";
import { generation, subscriptionsForResources } from "../subscriptions/queries";
import { matches } from "../subscriptions/rules";
import type { SubscriptionRow } from "../subscriptions/table";
import { markDispatched } from "../events/queries";
import { errorText } from "../lib/errors";
import { mapLimited } from "../lib/parallel";
import { deliveryStub } from "./stub";

const PARALLEL_HANDOVERS = 50;
/** Queue attempts before a failed hand-over goes back to the outbox (below the consumer's max_retries of 10). */
export const RETURN_TO_OUTBOX_AFTER = 8;

let cache: { gen: number; byResource: Map<string, SubscriptionRow[]> } = { gen: -1, byResource: new Map() };

async function candidates(env: Env, resources: string[]): Promise<Map<string, SubscriptionRow[]>> {
  const gen = await generation(env);
  if (gen !== cache.gen) cache = { gen, byResource: new Map() };
  const missing = resources.filter((r) => !cache.byResource.has(r));
  if (missing.length) {
    for (const r of missing) cache.byResource.set(r, []);
    for (const sub of await subscriptionsForResources(env, missing)) cache.byResource.get(sub.resourceFilter)?.push(sub);
  }
  return cache.byResource;
}

function isEventMessage(body: unknown): body is EventMessage {
  const b = body as EventMessage | null;
  return typeof b === "object" && b !== null && Number.isSafeInteger(b.seq) && typeof b.event === "object" && b.event !== null && typeof b.event.resource === "string";
}

export async function handleEventsBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const messages = batch.messages.filter((m) => {
    if (isEventMessage(m.body)) return true;
    console.error(JSON.stringify({ msg: "malformed events queue message dropped", id: m.id }));
    m.ack();
    return false;
  }) as Message<EventMessage>[];
  messages.sort((a, b) => a.body.seq - b.body.seq);
  const byResource = await candidates(env, [...new Set(messages.map((m) => m.body.event.resource))]);

  const perSubscription = new Map<number, { items: EventMessage[]; messages: Message<EventMessage>[] }>();
  for (const m of messages) {
    for (const sub of byResource.get(m.body.event.resource) ?? []) {
      if (!matches(sub, m.body.event)) continue;
      const entry = perSubscription.get(sub.id) ?? { items: [], messages: [] };
      entry.items.push(m.body);
      entry.messages.push(m);
      perSubscription.set(sub.id, entry);
    }
  }

  const failed = new Set<Message<EventMessage>>();
  await mapLimited([...perSubscription], PARALLEL_HANDOVERS, async ([id, entry]) => {
    try {
      await deliveryStub(env, id).enqueue(entry.items);
    } catch (e) {
      console.error(JSON.stringify({ msg: "handing events to a subscription failed; the queue retries", subscription: id, error: e instanceof Error ? e.message : String(e) }));
      for (const m of entry.messages) failed.add(m);
    }
  });
  // Backing off 2, 4, 8 … 256 s over the queue's retries; before the queue would drop the message
  // (max_retries), the event goes back into the events outbox, which the cron sends again: an
  // object unavailable for a long time loses nothing (objects ignore positions they already have).
  const giveBack = new Set([...failed].filter((m) => m.attempts >= RETURN_TO_OUTBOX_AFTER));
  if (giveBack.size) {
    try {
      await markDispatched(env, [...giveBack].map((m) => m.body.seq), null);
      for (const m of giveBack) failed.delete(m);
    } catch (e) {
      console.error(JSON.stringify({ msg: "returning events to the outbox failed; the queue retries", error: errorText(e) }));
    }
  }
  for (const m of messages) {
    if (failed.has(m)) m.retry({ delaySeconds: Math.min(2 ** m.attempts, 300) });
    else m.ack();
  }
}
