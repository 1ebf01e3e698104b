/**
 * The `varsel-events` queue consumer: matches each stored event against the subscriptions of its
 * resource and hands it to each matching subscription's Durable Object, which persists it before
 * answering. Only then does the event leave the outbox (SPEC §7.1): a message that fails past its
 * retries, or is lost, is sent again by the cron's outbox sweep. Candidates come from the resource
 * index and are cached per isolate and per resource, with the resource's policy: a change to one
 * resource's subscriptions or policy bumps that resource's generation only, so other tenants' entries
 * stay cached (issue 7 point 7). Each hand-over carries a snapshot of the subscription and of the
 * consumer's right, confirmed by this batch's generation read, so a steady first push reads nothing
 * from D1 (src/delivery/snapshot.ts).
 */
import type { Env } from "../env";
import type { CloudEvent } from "../events/cloudevent";
import { type EventMessage, sendToQueue } from "../events/dispatch";
import { EVENTS_LANE_WINDOW } from "../events/lanes";
import { eventsBySeq, OUTBOX_GRACE_MS, rescheduleOutbox, settleOutbox } from "../events/outbox";
import { matches } from "../subscriptions/rules";
import type { SubscriptionRow } from "../subscriptions/table";
import { errorText } from "../lib/errors";
import { mapLimited } from "../lib/parallel";
import { capHandovers, handoverCap, sendContinuations, type MatcherMessage } from "./carry-over";
import { interleaveBy } from "./fair";
import type { PushSnapshot } from "./snapshot";
import { candidates, snapshotOf } from "./candidates";
import { deliveryStub } from "./stub";

const PARALLEL_HANDOVERS = 50;
/** Queue attempts before a failed message goes back to the outbox (below the consumer's max_retries of 10). */
export const RETURN_TO_OUTBOX_AFTER = 8;
/** Exported for tests: the per-isolate candidate cache (src/delivery/candidates.ts). */
export { candidateCache, candidateLoads } from "./candidates";

function isEventMessage(body: unknown): body is MatcherMessage {
  const b = body as MatcherMessage | null;
  if (typeof b !== "object" || b === null || !Number.isSafeInteger(b.seq)) return false;
  if (b.prev !== undefined && !(Number.isSafeInteger(b.prev) && b.prev < b.seq)) return false;
  if (b.lane !== undefined && typeof b.lane !== "string") return false;
  if (b.after !== undefined && !Number.isSafeInteger(b.after)) return false;
  return (
    b.event === undefined || (typeof b.event === "object" && b.event !== null && typeof b.event.resource === "string")
  );
}

interface Item {
  message: Message<MatcherMessage>;
  seq: number;
  /** The previous event of the same resource (0: none), when known. */
  prev?: number;
  event: CloudEvent;
}

/**
 * The position after which the subscription's object misses nothing of this resource when handed
 * `first`: its resource's previous event, stepping back over events of this batch the subscription
 * does not match. Undefined when not known (the object then checks in D1).
 */
export function handOverPrev(
  first: { prev?: number },
  inBatch: ReadonlyMap<number, { prev?: number; event: CloudEvent }>,
  wants: (event: CloudEvent) => boolean,
): number | undefined {
  let prev = first.prev;
  for (let before = prev === undefined ? undefined : inBatch.get(prev); before && !wants(before.event); ) {
    prev = before.prev;
    before = prev === undefined ? undefined : inBatch.get(prev);
  }
  return prev;
}

export async function handleEventsBatch(
  batch: MessageBatch<unknown>,
  env: Env,
  maxHandovers = handoverCap(env),
): Promise<void> {
  const messages = batch.messages.filter((m) => {
    if (isEventMessage(m.body)) return true;
    console.error(JSON.stringify({ msg: "malformed events queue message dropped", id: m.id }));
    m.ack();
    return false;
  }) as Message<MatcherMessage>[];
  let items: Item[];
  let matched: Awaited<ReturnType<typeof candidates>>;
  try {
    items = await withEvents(env, messages);
    matched = await candidates(env, [...new Set(items.map((i) => i.event.resource))]);
  } catch (e) {
    // D1 trouble before any hand-over: the whole batch waits (and goes back to the outbox late).
    console.error(JSON.stringify({ msg: "matching a batch failed; the queue retries", error: errorText(e) }));
    await settle(env, messages, new Set(messages));
    return;
  }
  items.sort((a, b) => a.seq - b.seq);

  const perSubscription = new Map<number, { sub: SubscriptionRow; snapshot: PushSnapshot; items: Item[] }>();
  for (const item of items) {
    const found = matched.byResource.get(item.event.resource);
    const after = item.message.body.after ?? 0;
    for (const sub of found?.subs ?? []) {
      if (sub.id <= after || !matches(sub, item.event)) continue; // an earlier part handed it over
      const entry = perSubscription.get(sub.id) ?? {
        sub,
        snapshot: snapshotOf(sub, found!, matched.at),
        items: [],
      };
      entry.items.push(item);
      perSubscription.set(sub.id, entry);
    }
  }

  const failed = new Set<Message<EventMessage>>();
  const bySeq = new Map(items.map((i) => [i.seq, i]));
  const capped = capHandovers([...perSubscription.values()], maxHandovers);
  const handovers = interleaveBy(capped.now, (e) => e.sub.consumer);
  await mapLimited(handovers, PARALLEL_HANDOVERS, async ({ sub, snapshot, items: mine }) => {
    try {
      const prev = handOverPrev(mine[0]!, bySeq, (event) => matches(sub, event));
      await deliveryStub(env, sub.id).enqueue(
        mine.map((i, n) => ({ seq: i.seq, event: i.event, ...(n === 0 && prev !== undefined ? { prev } : {}) })),
        snapshot,
      );
    } catch (e) {
      console.error(
        JSON.stringify({
          msg: "handing events to a subscription failed; the queue retries",
          subscription: sub.id,
          error: errorText(e),
        }),
      );
      for (const i of mine) failed.add(i.message);
    }
  });
  const carried = await carryOver(
    env,
    capped.later.flatMap((h) => h.items),
    capped.after,
    failed,
  );
  for (const m of carried) m.ack();
  await settle(
    env,
    messages.filter((m) => !carried.has(m)),
    failed,
  );
}

/**
 * The messages of the items left for a later part (`later`): sent again with how far they got,
 * acknowledged here and left in the outbox until their last part. Those that failed a hand-over, or
 * whose continuation could not be sent, are left to `settle` (failed: retried whole).
 */
async function carryOver(
  env: Env,
  later: Item[],
  after: number | null,
  failed: Set<Message<EventMessage>>,
): Promise<Set<Message<MatcherMessage>>> {
  if (after === null) return new Set();
  const rest = new Set(later.filter((i) => !failed.has(i.message)).map((i) => i.message));
  try {
    await sendContinuations(
      env,
      [...rest].map((m) => m.body),
      after,
    );
    // A chain of parts can outlast the grace minute: keep the event's place in its lane's window and
    // keep the sweep from starting a second chain while this one makes progress (review finding).
    await rescheduleOutbox(
      env,
      [...rest].map((m) => m.body.seq),
      Date.now() + OUTBOX_GRACE_MS,
    ).catch((e) =>
      console.error(JSON.stringify({ msg: "keeping carried events in the window failed", error: errorText(e) })),
    );
    return rest;
  } catch (e) {
    console.error(JSON.stringify({ msg: "carrying hand-overs over failed; the queue retries", error: errorText(e) }));
    for (const m of rest) failed.add(m);
    return new Set();
  }
}

/** The events of the messages; a message naming only a position reads it from D1 (gone: past retention). */
async function withEvents(env: Env, messages: Message<EventMessage>[]): Promise<Item[]> {
  const pointers = messages.filter((m) => !m.body.event);
  const loaded = new Map(
    (
      await eventsBySeq(
        env,
        pointers.map((m) => m.body.seq),
      )
    ).map((e) => [e.seq, e]),
  );
  const items: Item[] = [];
  for (const m of messages) {
    const event = m.body.event ?? loaded.get(m.body.seq)?.event;
    const prev = m.body.prev ?? loaded.get(m.body.seq)?.prev;
    if (event) items.push({ message: m, seq: m.body.seq, ...(prev !== undefined ? { prev } : {}), event });
  }
  return items;
}

/**
 * Acknowledges what every matching subscription now holds (and takes it out of the outbox), tops up
 * the lanes of the batch from their held events (same statement: fairness across batches, issue 7
 * point 7), and retries the rest with a back-off of 2, 4, 8 … 256 s. Before the queue would give a
 * message up (max_retries), its event goes back into the outbox, which the cron sends again; if even
 * that fails, the outbox's lease sends it later. Objects ignore positions they already hold.
 */
async function settle(env: Env, messages: Message<EventMessage>[], failed: Set<Message<EventMessage>>): Promise<void> {
  const done = messages.filter((m) => !failed.has(m));
  if (done.length) {
    const lanes = [...new Set(messages.flatMap((m) => (m.body.lane === undefined ? [] : [m.body.lane])))];
    try {
      const topUp = await settleOutbox(
        env,
        done.map((m) => m.body.seq),
        lanes,
        new Date(),
        EVENTS_LANE_WINDOW,
      );
      await sendToQueue(env, topUp, "lane top-up");
    } catch (e) {
      // Still in the outbox: sent once more after its lease, and ignored by the objects that hold it.
      console.error(
        JSON.stringify({ msg: "confirming hand-overs failed; the outbox sends them again", error: errorText(e) }),
      );
    }
  }
  const giveBack = [...failed].filter((m) => m.attempts >= RETURN_TO_OUTBOX_AFTER);
  if (giveBack.length) {
    try {
      await rescheduleOutbox(
        env,
        giveBack.map((m) => m.body.seq),
        Date.now(),
      );
      for (const m of giveBack) failed.delete(m);
    } catch (e) {
      console.error(
        JSON.stringify({ msg: "returning events to the outbox failed; the queue retries", error: errorText(e) }),
      );
    }
  }
  for (const m of messages) {
    if (failed.has(m)) m.retry({ delaySeconds: Math.min(2 ** m.attempts, 300) });
    else m.ack();
  }
}

/** The events queue's dead-letter consumer: what the queue gave up on goes back into the outbox. */
export async function handleEventsDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const seqs = batch.messages
    .map((m) => (m.body as EventMessage | null)?.seq)
    .filter((s): s is number => Number.isSafeInteger(s));
  try {
    await rescheduleOutbox(env, seqs, Date.now());
    batch.ackAll();
  } catch (e) {
    console.error(JSON.stringify({ msg: "returning dead letters to the outbox failed; retried", error: errorText(e) }));
    batch.retryAll({ delaySeconds: 60 });
  }
}
