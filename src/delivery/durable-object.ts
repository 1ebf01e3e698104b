import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import type { CloudEvent } from "../events/cloudevent";
import { resourceIdOf } from "../resources/policy";
import { loadResource } from "../resources/queries";
import { getSubscription, latestEventSeq, markDisabled, markValidated } from "../subscriptions/queries";
import { matches } from "../subscriptions/rules";
import type { SubscriptionRow } from "../subscriptions/table";
import { parseSchedule } from "../lib/schedule";
import {
  decide,
  DEFAULT_PUSH_SCHEDULE,
  DEFAULT_VALIDATION_SCHEDULE,
  failureReason,
  type AttemptResult,
  type PushKind,
} from "./schedule";
import { postSigned, pushTimeoutMs } from "./send";
import {
  CUT_OFF_ERROR,
  PushStore,
  type DeliveryState,
  type DeliveryView,
  type Push,
  type PushStatus,
  type Provisional,
} from "./store";
import { eventHeadersBetween, eventsAt, latestPosition } from "./gaps";
import { retentionSettings } from "../retention/settings";
import { errorText } from "../lib/errors";
import { LiveFeed } from "./live";
import { newerSnapshot, targetOf, usableSnapshot, type PushSnapshot, type PushTarget } from "./snapshot";

/**
 * If the object is evicted mid-request, this alarm picks the queue up again. Firing while the
 * request is still running is harmless: the alarm waits for the run under way (`kick`).
 */
const WATCHDOG_MS = 10_000;
/** Finished pushes forgotten per run (retention, SPEC §7.2); more are left to the next alarm. */
const PRUNE_BATCH = 500;
/** At most this many older events are filled in per hand-over; the queue brings any beyond it. */
const GAP_FILL_LIMIT = 500;
/** One alarm run works at most this long, then hands over to the next alarm. */
const RUN_BUDGET_MS = 60_000;

export interface QueuedEvent {
  seq: number;
  /**
   * From the matcher, on the first event of a hand-over: no event of the subscription's resource that
   * it matches lies strictly between `prev` and `seq`. Absent: not known, checked in D1.
   */
  prev?: number;
  event: CloudEvent;
}

/**
 * One per subscription (SPEC §4.5): owns the subscription's queue of pushes in its own storage,
 * sends at most one request at a time to the endpoint, first attempts in publish order, retries
 * on its alarm. The validation handshake runs here too.
 */
export class SubscriptionDelivery extends DurableObject<Env> {
  private readonly store: PushStore;
  private running: Promise<void> | null = null;
  private destroyed = false;
  /** Open live views of this subscription's pushes (SSE, src/delivery/live.ts). */
  private readonly live = new LiveFeed();
  /** The kind of the last push attempted, for the fair interleave of first attempts and retries. */
  private lastKind: PushKind | null = null;
  /**
   * The newest snapshot of the subscription and the consumer's right the matcher handed over, kept in
   * memory only: an evicted object reads D1 until the next hand-over (src/delivery/snapshot.ts).
   */
  private snapshot: PushSnapshot | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new PushStore(ctx.storage.sql);
    this.store.ensureSchema();
  }

  /** A new subscription: remember it and start the validation handshake. */
  async start(subscriptionId: number, source: string): Promise<void> {
    // Only called for a row just inserted: anything already here is left over from an older
    // database that reused the id, and must not leak into the new subscription.
    if (this.store.state()) {
      await this.ctx.storage.deleteAll();
      this.store.ensureSchema();
    }
    this.destroyed = false;
    this.snapshot = null;
    this.store.saveState({
      subscriptionId,
      source,
      validated: false,
      validatedSeq: 0,
      validationAttempts: 0,
      validationDueAt: Date.now(),
      disabled: false,
    });
    await this.ctx.storage.setAlarm(Date.now());
  }

  /**
   * Persists matching events before answering (the queue message is acknowledged only then); a
   * position already known is ignored. Before validation they are held, not pushed: validation
   * drops those published before it, so an event that races the handshake's success is kept.
   */
  async enqueue(items: QueuedEvent[], snapshot?: PushSnapshot): Promise<number> {
    const state = this.store.state();
    if (!state || state.disabled) return 0;
    this.snapshot = newerSnapshot(this.snapshot, snapshot);
    const sorted = [...items].sort((a, b) => a.seq - b.seq);
    const incoming = state.validated ? [...(await this.missingBefore(state, sorted[0])), ...sorted] : sorted;
    const now = Date.now();
    let added = 0;
    for (const item of incoming) {
      if (state.validated && item.seq <= state.validatedSeq) continue;
      if (this.store.add(item.seq, item.event.id, JSON.stringify(item.event), now)) added++;
    }
    const last = sorted.at(-1)?.seq;
    if (state.validated && last !== undefined && last > (state.seenSeq ?? 0))
      this.store.saveState({ ...this.store.state()!, seenSeq: last });
    if (added && state.validated) await this.wake();
    return added;
  }

  /**
   * Gap filling, so first attempts keep publish order even when the queue hands an older event
   * over after a newer one (a batch retried after a failed hand-over): the subscription's matching
   * events stored between the last position handed over and `firstSeq` that this object does not
   * hold yet. Only the subscription's own resource is read, its filters are checked on the events'
   * header columns, and only the bodies of events actually missing are read (issue 8 point 5). When
   * the matcher says which event of the resource came before (`prev`) and this object has seen it,
   * there is no hole and D1 is not asked at all (issue 10 point 4: nothing global per push).
   */
  private async missingBefore(state: DeliveryState, first: QueuedEvent | undefined): Promise<QueuedEvent[]> {
    const from = Math.max(state.seenSeq ?? 0, state.validatedSeq);
    const firstSeq = first?.seq;
    if (firstSeq === undefined || firstSeq <= from + 1) return [];
    if (first?.prev !== undefined && first.prev <= from) return [];
    const sub = await getSubscription(this.env, state.subscriptionId);
    if (!sub || sub.disabled) return [];
    const candidates = (await eventHeadersBetween(this.env, sub.resourceFilter, from, firstSeq, GAP_FILL_LIMIT)).filter(
      (h) => matches(sub, h.header),
    );
    const held = this.store.held(candidates.map((c) => c.seq));
    return eventsAt(
      this.env,
      sub.resourceFilter,
      candidates.filter((c) => !held.has(c.seq)).map((c) => c.seq),
    );
  }

  async deliveries(q: { status?: PushStatus; beforeSeq: number; size: number }): Promise<DeliveryView[]> {
    // Events held during the handshake are not deliveries yet (most are dropped at validation).
    if (!this.store.state()?.validated) return [];
    return this.store.list(q);
  }

  async seqOfEvent(eventId: string): Promise<number | null> {
    return this.store.seqOfEvent(eventId);
  }

  async redeliver(eventId: string): Promise<boolean> {
    this.snapshot = null; // a redelivery reads the registry as it is now
    const ok = this.store.requeueEvent(eventId, Date.now());
    if (ok) await this.wake();
    return ok;
  }

  async recover(sinceMs: number): Promise<number> {
    this.snapshot = null;
    const n = this.store.requeueFailedSince(sinceMs, Date.now());
    if (n) await this.wake();
    return n;
  }

  /** The subscription was deleted: forget everything; nothing starts after this. */
  async destroy(): Promise<void> {
    this.destroyed = true;
    this.snapshot = null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.store.ensureSchema();
  }

  /** The live view's stream; the Worker's route has checked the caller owns the subscription. */
  override async fetch(_request: Request): Promise<Response> {
    return this.live.open();
  }

  override async alarm(): Promise<void> {
    await this.kick();
  }

  /** Makes sure work is under way: an alarm now (survives eviction) and a run in this instance. */
  private async wake(): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > Date.now()) await this.ctx.storage.setAlarm(Date.now());
    this.ctx.waitUntil(this.kick());
  }

  /** At most one run at a time, so at most one request in flight. */
  private kick(): Promise<void> {
    this.running ??= this.run()
      .catch(async (e) => {
        // D1 or storage trouble: log it and come back later; the pushes stay queued.
        console.error(JSON.stringify({ msg: "delivery run failed; retrying on the alarm", error: errorText(e) }));
        if (!this.destroyed) await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS).catch(() => undefined);
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<void> {
    const started = Date.now();
    for (;;) {
      const state = this.store.state();
      if (this.destroyed || !state) return;
      const now = Date.now();
      if (state.disabled) return this.idle(now, null);
      if (now - started > RUN_BUDGET_MS) return void (await this.ctx.storage.setAlarm(now));
      if (!state.validated) {
        if (state.validationDueAt === null) return;
        if (state.validationDueAt > now) return void (await this.ctx.storage.setAlarm(state.validationDueAt));
        await this.validate(state);
        continue;
      }
      const push = this.store.nextDue(now, this.lastKind);
      if (!push) return this.idle(now, this.store.nextDueAt());
      this.lastKind = push.kind;
      await this.attempt(state, push);
    }
  }

  /**
   * Nothing due: forget finished pushes past retention (SPEC §7.2) in a bounded batch, and sleep until
   * the next push is due or the oldest finished one expires, so an idle object's storage shrinks too.
   */
  private async idle(now: number, nextDue: number | null): Promise<void> {
    const keepMs = retentionSettings(this.env).deliveriesMs;
    const pruned = this.store.pruneFinished(now - keepMs, PRUNE_BATCH);
    const oldest = this.store.oldestDoneAt();
    const expiry = pruned === PRUNE_BATCH ? now : oldest === null ? null : oldest + keepMs;
    const next = nextDue === null ? expiry : expiry === null ? nextDue : Math.min(nextDue, expiry);
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  /** The subscription row as it is now, or null (and everything forgotten) when it was deleted. */
  private async current(state: DeliveryState): Promise<SubscriptionRow | null> {
    const sub = await getSubscription(this.env, state.subscriptionId);
    if (!sub) {
      await this.destroy();
      return null;
    }
    if (sub.disabled) {
      this.store.saveState({ ...state, disabled: true });
      return null;
    }
    return sub;
  }

  private async validate(state: DeliveryState): Promise<void> {
    const sub = await this.current(state);
    if (!sub) return;
    const id = crypto.randomUUID();
    const body = JSON.stringify({
      id,
      source: state.source,
      type: "platform.events.validatesubscription",
      specversion: "1.0",
    });
    const started = Date.now();
    const schedule = parseSchedule(this.env.VALIDATION_RETRY_SCHEDULE, DEFAULT_VALIDATION_SCHEDULE);
    const attempts = state.validationAttempts + 1;
    // Counted before the request is sent: cut off by an eviction or a crash, the handshake still
    // counts, with its retry already due (or none after the last).
    const dueAfter = schedule[attempts - 1];
    state = {
      ...state,
      validationAttempts: attempts,
      validationDueAt: dueAfter === undefined ? started : started + dueAfter * 1000,
    };
    this.store.saveState(state);
    await this.ctx.storage.setAlarm(started + WATCHDOG_MS);
    const r = await postSigned(
      sub.endPoint,
      sub.secret,
      `${sub.id}-validation-${id}`,
      body,
      () => new Date(),
      this.env.ALLOW_INSECURE_ENDPOINTS === "true",
      pushTimeoutMs(this.env.PUSH_TIMEOUT_SECONDS),
    );
    if (this.destroyed) return;
    if (r.refused)
      return this.refuse(state, sub.id, r.refused, { validationAttempts: attempts, validationDueAt: null });
    if (r.statusCode !== null && r.statusCode >= 200 && r.statusCode < 300) {
      // Everything stored up to now was published before validation and is never pushed.
      const validatedSeq = await latestPosition(this.env, sub.resourceFilter, await latestEventSeq(this.env));
      this.store.saveState({
        ...state,
        validated: true,
        validatedSeq,
        validationAttempts: attempts,
        validationDueAt: null,
      });
      this.store.dropPendingThrough(validatedSeq);
      await markValidated(this.env, sub.id);
      return;
    }
    if (attempts > schedule.length) {
      const reason = `The endpoint did not accept the validation event after ${attempts} attempts; last: ${failureReason(r)}`;
      await markDisabled(this.env, sub.id, reason);
      this.store.saveState({ ...state, validationAttempts: attempts, validationDueAt: null, disabled: true });
      this.store.dropPendingThrough(Number.MAX_SAFE_INTEGER);
      return;
    }
    this.store.saveState({
      ...state,
      validationAttempts: attempts,
      validationDueAt: started + schedule[attempts - 1]! * 1000,
    });
  }

  /**
   * Where the push goes and whether the consumer may still have it (SPEC §4.5): a first attempt uses
   * the matcher's snapshot while it is fresh; otherwise the subscription row and the resource's
   * policy are read from D1 as they are now (null: the subscription is gone or disabled).
   */
  private async target(state: DeliveryState, push: Push): Promise<PushTarget | null> {
    const snapshot = usableSnapshot(this.snapshot, push, Date.now());
    if (snapshot) return snapshot;
    const sub = await this.current(state);
    if (!sub) return null;
    return targetOf(sub, await loadResource(this.env, resourceIdOf(sub.resourceFilter) ?? ""));
  }

  private async attempt(state: DeliveryState, push: Push): Promise<void> {
    const target = await this.target(state, push);
    if (!target) return;
    if (!target.allowed) {
      this.store.deadLetter(push.seq, "The consumer no longer has the subscribe right on the resource.", Date.now());
      return;
    }
    const body = push.body || (await this.bodyFromD1(target.resource, push.seq));
    if (body === null) {
      this.store.deadLetter(push.seq, "The event is past retention and can no longer be pushed.", Date.now());
      return;
    }
    const attempt = push.attempts + 1;
    const schedule = parseSchedule(this.env.PUSH_RETRY_SCHEDULE, DEFAULT_PUSH_SCHEDULE);
    const time = new Date();
    // Counted before the request is sent (SPEC §4.5): cut off by an eviction or a crash, the attempt
    // stays recorded as failed without an answer, with its retry (or dead letter) already decided.
    this.store.beginAttempt(
      push.seq,
      attempt,
      time,
      provisional(decide(attempt - push.cycleStart, CUT_OFF, schedule, time.getTime())),
    );
    await this.ctx.storage.setAlarm(time.getTime() + WATCHDOG_MS);
    const r = await postSigned(
      target.endPoint,
      target.secret,
      `${state.subscriptionId}-${push.seq}`,
      body,
      () => new Date(),
      this.env.ALLOW_INSECURE_ENDPOINTS === "true",
      pushTimeoutMs(this.env.PUSH_TIMEOUT_SECONDS),
    );
    if (this.destroyed) return;
    this.store.finishAttempt(push.seq, attempt, r);
    if (r.refused) return this.refuse(state, state.subscriptionId, r.refused, {});
    const outcome = decide(attempt - push.cycleStart, r, schedule, time.getTime(), Date.now());
    this.live.attempt({
      eventId: push.eventId,
      attempt,
      statusCode: r.statusCode,
      durationMs: r.durationMs,
      error: r.error,
      outcome: outcome.kind,
      time: time.toISOString(),
    });
    switch (outcome.kind) {
      case "delivered":
        this.store.delivered(push.seq, Date.now());
        return;
      case "retry":
        this.store.retryAt(push.seq, outcome.at, outcome.reason);
        return;
      case "dead":
        this.store.deadLetter(push.seq, outcome.reason, Date.now());
        return;
      case "gone":
        await markDisabled(this.env, state.subscriptionId, outcome.reason);
        this.store.deadLetter(push.seq, outcome.reason, Date.now());
        this.store.deadLetterPending(`The subscription was disabled: ${outcome.reason}`, Date.now());
        this.store.saveState({ ...state, disabled: true });
        return;
    }
  }

  /** The destination rule refused the endPoint: the subscription is disabled with the reason, its pushes dead. */
  private async refuse(
    state: DeliveryState,
    subscriptionId: number,
    reason: string,
    change: Partial<DeliveryState>,
  ): Promise<void> {
    await markDisabled(this.env, subscriptionId, reason);
    this.store.deadLetterPending(`The subscription was disabled: ${reason}`, Date.now());
    this.store.saveState({ ...state, ...change, disabled: true });
  }

  /** A finished push queued again no longer holds the event's body: it comes from the log (null: past retention). */
  private async bodyFromD1(resource: string, seq: number): Promise<string | null> {
    const [found] = await eventsAt(this.env, resource, [seq]);
    return found ? JSON.stringify(found.event) : null;
  }
}

/** An attempt that never got an answer. */
const CUT_OFF: AttemptResult = {
  statusCode: null,
  durationMs: 0,
  error: CUT_OFF_ERROR,
  retryAfterSeconds: null,
  responseSnippet: null,
};

function provisional(o: ReturnType<typeof decide>): Provisional {
  if (o.kind === "retry") return o;
  return { kind: "dead", reason: o.kind === "dead" ? o.reason : "Gave up." };
}
