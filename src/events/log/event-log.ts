/**
 * `EventLog`: a resource's event log, or a party's (`/app/party`, `party:<id>`, the same minus the
 * outbox) (SPEC §9, docs/event-log.md). The resource's *head* object
 * (`log:<urn>`) is its one sequencer: an append is one synchronous transaction — the `(source, id)`
 * check, the row at the next position, the outbox row — with the alarm set alongside. It answers
 * after the commit, so the event is durable and readable when publish returns (read-your-writes:
 * reads for the resource start here too). The alarm hands the outbox to the subscriptions' objects,
 * then moves rows older than a few minutes, in position order, into *segment*
 * objects of the same class (`log:<urn>:seg:<n>`, each cut at `SEGMENT_BYTES`), recording each
 * segment's position range in the same transaction that deletes the rows from the head. The head so
 * holds minutes of events, every object stays far below the 10 GB a SQLite Durable Object may
 * hold, and a resource's storage grows by adding segments, with nobody moving data.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../env";
import { errorText } from "../../lib/errors";
import { retentionSettings } from "../../retention/settings";
import type { CloudEvent } from "../cloudevent";
import { parseDuration } from "../../lib/duration";
import { MAX_HANDOVERS_PER_INVOCATION } from "../../delivery/carry-over";
import { copyToParties, type HandOver, handOverToSubscriptions, type LogItem } from "./handover";
import { partyLogName, resourceLogName, segmentStub } from "./stubs";
import {
  byBytes,
  ensureRows,
  insertRow,
  lastPosition,
  listRows,
  metaText,
  oldestStoredAt,
  positionOfId,
  positionOfSourceId,
  pruneRows,
  setMeta,
  type RawEvent,
  type RowAnswer,
  type RowQuery,
} from "./rows";

/** Outbox events handed over per alarm run (more: the alarm runs again at once). */
export const OUTBOX_BATCH = 100;
/** A failed hand-over is tried again after this long. */
export const OUTBOX_RETRY_MS = 10_000;
/** Expired rows deleted per alarm run. */
const PRUNE_BATCH = 500;
/** Rows older than this move from the head to a segment (`EVENT_LOG_ARCHIVE_AFTER`). */
export const ARCHIVE_AFTER_MS = 10 * 60_000;
/** Rows moved per step (at most 64 KiB each: a step carries at most 64 MB). */
export const ARCHIVE_BATCH = 1000;
/** A segment takes no new rows once it holds this many bytes of events (`EVENT_LOG_SEGMENT_BYTES`). */
export const SEGMENT_BYTES = 2_000_000_000;

/** A segment of a resource's log as its head records it. */
export interface Segment {
  n: number;
  first: number;
  last: number;
}

export interface Appended {
  pos: number;
  prev: number;
  /** False: (source, id) was already stored here (the position is the stored event's). */
  created: boolean;
}

/** A row carried over from the D1 log by the backfill (src/events/log/backfill.ts). */
export interface ImportedRow {
  seq: number;
  /** The resource's previous position, when known (rows moved to a segment keep theirs). */
  prev?: number;
  event: CloudEvent;
  storedAt: number;
  /** Still unconfirmed in the D1 outbox: the log's outbox pushes it. */
  outbox: boolean;
}

/** An outbox row due for hand-over, with its event. */
interface DueRow {
  pos: number;
  prev: number;
  cloudevent: string;
  stored_at: number;
  /** Subscriptions up to this id already hold it (a capped run). */
  after_sub: number;
}

/** One (source, id) pair as a set key. */
function pairKey(p: { source: string; id: string }): string {
  return JSON.stringify([p.source, p.id]);
}

/** How often an append re-asks the segments because rows moved while it asked (then it gives up). */
const MAX_SEGMENT_RECHECKS = 5;

export class EventLog extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Object calls one alarm run may make (Workers' subrequests per invocation); tests lower it. */
  maxCalls = MAX_HANDOVERS_PER_INVOCATION;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ensureRows(this.sql);
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS outbox (pos INTEGER PRIMARY KEY, due_at INTEGER NOT NULL, after_sub INTEGER NOT NULL DEFAULT 0)",
    );
    // Objects created before the hand-over cap had no `after_sub` (how far a capped hand-over got).
    if (!this.sql.exec("SELECT 1 FROM pragma_table_info('outbox') WHERE name = 'after_sub'").toArray().length)
      this.sql.exec("ALTER TABLE outbox ADD COLUMN after_sub INTEGER NOT NULL DEFAULT 0");
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS segments (n INTEGER PRIMARY KEY, first_pos INTEGER NOT NULL, last_pos INTEGER NOT NULL, rows INTEGER NOT NULL, bytes INTEGER NOT NULL, newest_at INTEGER NOT NULL)",
    );
  }

  /** Stores the event (idempotent on (source, id)) with its outbox row, in one transaction. */
  async append(event: CloudEvent, nowMs: number, since?: number): Promise<Appended> {
    const r = await this.once(event, since, () => {
      this.name(resourceLogName(event.resource), event.resource);
      const stored = insertRow(this.sql, event, nowMs);
      if (stored.created) this.sql.exec("INSERT INTO outbox (pos, due_at) VALUES (?, ?)", stored.pos, nowMs);
      return stored;
    });
    if (r.created) await this.wakeBy(nowMs);
    return r;
  }

  /**
   * Several appends of this resource, in order, in one transaction, each idempotent on (source, id)
   * without a guard's claim (Varsel's own status events, `appendOwnEvents`): a pair held here is
   * skipped by the unique index; one the alarm moved on to a segment is found by asking every
   * segment once for the whole batch (a resource has few: each holds up to 2 GB). If rows move while
   * the segments are asked, the transaction sees other segments and asks again. Returns how many
   * were new here.
   */
  async appendMany(events: CloudEvent[], nowMs: number): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      // Rows keep moving on a busy head: after a few tries the caller retries later (its rows stay owed).
      if (attempt >= MAX_SEGMENT_RECHECKS) throw new Error("segments kept changing while appending; retried later");
      const asked = this.segmentsSince(0);
      const moved = await this.pairsInSegments(events);
      const created = this.ctx.storage.transactionSync(() => {
        if (this.segmentsSince(0) !== asked) return null;
        let n = 0;
        for (const event of events) {
          if (moved.has(pairKey(event))) continue;
          this.name(resourceLogName(event.resource), event.resource);
          const stored = insertRow(this.sql, event, nowMs);
          if (!stored.created) continue;
          this.sql.exec("INSERT INTO outbox (pos, due_at) VALUES (?, ?)", stored.pos, nowMs);
          n++;
        }
        return n;
      });
      if (created === null) continue;
      if (created) await this.wakeBy(nowMs);
      return created;
    }
  }

  /** The (source, id) pairs of `events` not held here that one of this head's segments holds. */
  private async pairsInSegments(events: CloudEvent[]): Promise<Set<string>> {
    const name = metaText(this.sql, "name");
    const found = new Set<string>();
    if (!name) return found;
    const segments = this.sql.exec<{ n: number }>("SELECT n FROM segments ORDER BY n").toArray();
    const ask = events.filter((e) => positionOfSourceId(this.sql, e.source, e.id) === null);
    if (!segments.length || !ask.length) return found;
    const pairs = ask.map((e) => ({ source: e.source, id: e.id }));
    for (const { n } of segments)
      for (const key of await segmentStub(this.env, name, n).pairsHeld(pairs)) found.add(key);
    return found;
  }

  /** Which of the pairs this object holds (a segment asked by its head), as `pairKey`s. */
  async pairsHeld(pairs: { source: string; id: string }[]): Promise<string[]> {
    return pairs.filter((p) => positionOfSourceId(this.sql, p.source, p.id) !== null).map((p) => pairKey(p));
  }

  /**
   * A party's head (`party:<id>`, SPEC §4.3 `/app/party`): a copy of an app event about the party at
   * the party's next position (idempotent on (source, id)); no outbox, the resource's log pushes it.
   */
  async index(party: string, event: CloudEvent, nowMs: number, since?: number): Promise<number> {
    const r = await this.once(event, since, () => {
      this.name(partyLogName(party));
      return insertRow(this.sql, event, nowMs);
    });
    if (r.created) await this.wakeBy(nowMs + this.moveAfterMs());
    return r.pos;
  }

  /**
   * Runs `write` (one transaction) unless (source, id) is already in a segment. The segments are
   * asked first; if rows moved to a segment meanwhile (the alarm runs while this waits), the
   * transaction sees a different set of segments and the check is made again.
   */
  private async once(event: CloudEvent, since: number | undefined, write: () => Appended): Promise<Appended> {
    for (let attempt = 0; ; attempt++) {
      // A publish answers 503 rather than loop while rows keep moving; the publisher retries it.
      if (attempt >= MAX_SEGMENT_RECHECKS) throw new Error("segments kept changing while appending; retry");
      const asked = this.segmentsSince(since);
      const moved = await this.inSegments(event, since);
      if (moved !== null) return { pos: moved, prev: 0, created: false };
      const r = this.ctx.storage.transactionSync(() => (this.segmentsSince(since) === asked ? write() : null));
      if (r) return r;
    }
  }

  /** The segments filled since `since`, with their sizes, as one comparable value ("" when none may matter). */
  private segmentsSince(since: number | undefined): string {
    if (since === undefined) return "";
    return JSON.stringify(
      this.sql.exec("SELECT n, rows FROM segments WHERE newest_at >= ? ORDER BY n", since).toArray(),
    );
  }

  /**
   * (source, id) may have been stored here since `since` (a repeat: its first claim, or the time the
   * resource stored it) and moved on to a segment: the head's own unique index no longer sees it,
   * so the segments filled since then are asked (usually none or one). Its position, or null.
   */
  private async inSegments(event: CloudEvent, since: number | undefined): Promise<number | null> {
    if (since === undefined || positionOfSourceId(this.sql, event.source, event.id) !== null) return null;
    const name = metaText(this.sql, "name");
    if (!name) return null;
    const segments = this.sql
      .exec<{ n: number }>("SELECT n FROM segments WHERE newest_at >= ? ORDER BY n", since)
      .toArray();
    for (const { n } of segments) {
      const pos = await segmentStub(this.env, name, n).positionOf(event.source, event.id);
      if (pos !== null) return pos;
    }
    return null;
  }

  /** The position of (source, id) in this object, or null. */
  async positionOf(source: string, id: string): Promise<number | null> {
    return positionOfSourceId(this.sql, source, id);
  }

  /** A segment's rows, moved here by its head (idempotent). */
  async fill(rows: ImportedRow[]): Promise<number> {
    if (!metaText(this.sql, "segment")) setMeta(this.sql, "segment", "1");
    return this.importRows(rows);
  }

  /**
   * The backfill: rows of the D1 log at their old `seq` (idempotent), unconfirmed ones into the
   * outbox. `head` names the head they go to (a resource's or a party's); absent for a segment.
   */
  async importRows(rows: ImportedRow[], head?: { name: string; resource?: string }): Promise<number> {
    const now = Date.now();
    const added = this.ctx.storage.transactionSync(() => {
      let n = 0;
      if (head) this.name(head.name, head.resource);
      for (const row of [...rows].sort((a, b) => a.seq - b.seq)) {
        const stored = insertRow(this.sql, row.event, row.storedAt, {
          pos: row.seq,
          ...(row.prev !== undefined ? { prev: row.prev } : {}),
        });
        if (!stored.created) continue;
        n++;
        if (row.outbox) this.sql.exec("INSERT OR IGNORE INTO outbox (pos, due_at) VALUES (?, ?)", stored.pos, now);
      }
      return n;
    });
    await this.wakeBy(now);
    return added;
  }

  /** This object's rows after a position; also, on a head, its segments that hold positions after it. */
  async list(q: RowQuery): Promise<RowAnswer & { segments: Segment[] }> {
    const segments = this.segmentsAfter(q.afterPos);
    // Segments come first: their rows all precede the head's, so the caller reads them before these.
    return { ...(segments.length ? { rows: [], cut: false, bytes: 0 } : listRows(this.sql, q)), segments };
  }

  /** Every segment, oldest first (an `after` event id is looked for in them). */
  async segments(): Promise<Segment[]> {
    return this.segmentsAfter(-1);
  }

  private segmentsAfter(afterPos: number): Segment[] {
    return this.sql
      .exec<{ n: number; first: number; last: number }>(
        "SELECT n, first_pos AS first, last_pos AS last FROM segments WHERE last_pos > ? ORDER BY n",
        afterPos,
      )
      .toArray();
  }

  async positionOfId(id: string, subject?: string): Promise<number | null> {
    return positionOfId(this.sql, id, subject);
  }

  /** The newest position given (0: none): a subscription validated now skips everything up to it. */
  async latest(): Promise<number> {
    return lastPosition(this.sql);
  }

  /** Events by position (bodies for a subscription object); on a head, also the segments holding the others. */
  async at(positions: number[]): Promise<{ rows: RawEvent[]; elsewhere: { n: number; positions: number[] }[] }> {
    if (!positions.length) return { rows: [], elsewhere: [] };
    const rows = this.sql
      .exec<RawEvent>(
        "SELECT pos AS seq, prev, cloudevent FROM events WHERE pos IN (SELECT value FROM json_each(?)) ORDER BY pos",
        JSON.stringify(positions),
      )
      .toArray();
    const here = new Set(rows.map((r) => r.seq));
    const elsewhere = new Map<number, number[]>();
    for (const p of positions.filter((p) => !here.has(p))) {
      const seg = this.sql
        .exec<{ n: number }>("SELECT n FROM segments WHERE first_pos <= ? AND last_pos >= ?", p, p)
        .toArray()[0];
      if (seg) elsewhere.set(seg.n, [...(elsewhere.get(seg.n) ?? []), p]);
    }
    return { rows, elsewhere: [...elsewhere].map(([n, ps]) => ({ n, positions: ps })) };
  }

  /** Positions still in the outbox (tests and the operator's view). */
  async outboxPositions(): Promise<number[]> {
    return this.sql
      .exec<{ pos: number }>("SELECT pos FROM outbox ORDER BY pos")
      .toArray()
      .map((r) => r.pos);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const resource = metaText(this.sql, "resource");
    const name = metaText(this.sql, "name");
    const { rows: due, calls: segmentCalls } = name ? await this.dueOutbox(name, now) : { rows: [], calls: 0 };
    let more = false;
    if (due.length && resource) {
      const items: LogItem[] = due.map((r) => ({
        seq: r.pos,
        prev: r.prev,
        storedAt: r.stored_at,
        event: JSON.parse(r.cloudevent) as CloudEvent,
        after: r.after_sub,
      }));
      let result: HandOver = { ok: false, after: null };
      try {
        // The party's copy too (publish wrote it already; this is the safety net if it was cut off).
        // An item carried over from a capped run was copied before that run's hand-over.
        const copies = await copyToParties(
          this.env,
          items.filter((i) => i.after === 0),
        );
        // One run calls at most `maxCalls` objects (the matcher's cap), the segment move's one included.
        const budget = this.maxCalls - segmentCalls - copies - 1;
        result = await handOverToSubscriptions(this.env, resource, items, budget);
      } catch (e) {
        console.error(JSON.stringify({ msg: "log hand-over failed; retried", resource, error: errorText(e) }));
      }
      const positions = JSON.stringify(items.map((i) => i.seq));
      if (result.ok && result.after === null)
        this.sql.exec("DELETE FROM outbox WHERE pos IN (SELECT value FROM json_each(?))", positions);
      else if (result.ok) {
        // Capped: the subscriptions up to `after` hold them; the rest in the next run, at once.
        this.sql.exec(
          "UPDATE outbox SET after_sub = MAX(after_sub, ?) WHERE pos IN (SELECT value FROM json_each(?))",
          result.after,
          positions,
        );
        more = true;
      } else
        this.sql.exec(
          "UPDATE outbox SET due_at = ? WHERE pos IN (SELECT value FROM json_each(?))",
          now + OUTBOX_RETRY_MS,
          positions,
        );
    }
    const retentionMs = retentionSettings(this.env).eventsMs;
    pruneRows(this.sql, now - retentionMs, PRUNE_BATCH);
    this.sql.exec("DELETE FROM segments WHERE newest_at < ?", now - retentionMs);
    if (name && !metaText(this.sql, "segment")) {
      try {
        if (await this.moveToSegment(name, now)) more = true;
      } catch (e) {
        console.error(
          JSON.stringify({ msg: "moving log rows to a segment failed; retried", name, error: errorText(e) }),
        );
      }
    }
    if (more) await this.ctx.storage.setAlarm(Date.now());
    else await this.scheduleNext(retentionMs);
  }

  /**
   * The due outbox events, oldest first: from the head, or from the segment a row has moved to
   * while its hand-over kept failing. An outbox row whose event retention removed is dropped.
   */
  private async dueOutbox(name: string, now: number): Promise<{ rows: DueRow[]; calls: number }> {
    const due = this.sql
      .exec<{ pos: number; after_sub: number }>(
        "SELECT pos, after_sub FROM outbox WHERE due_at <= ? ORDER BY pos LIMIT ?",
        now,
        OUTBOX_BATCH,
      )
      .toArray();
    const positions = due.map((r) => r.pos);
    const afterOf = new Map(due.map((r) => [r.pos, r.after_sub]));
    if (!positions.length) return { rows: [], calls: 0 };
    const found = this.sql
      .exec<{ pos: number; prev: number; cloudevent: string; stored_at: number }>(
        "SELECT pos, prev, cloudevent, stored_at FROM events WHERE pos IN (SELECT value FROM json_each(?))",
        JSON.stringify(positions),
      )
      .toArray();
    const here = new Set(found.map((r) => r.pos));
    const bySegment = new Map<number, number[]>();
    for (const p of positions.filter((p) => !here.has(p))) {
      const seg = this.sql
        .exec<{ n: number }>("SELECT n FROM segments WHERE first_pos <= ? AND last_pos >= ?", p, p)
        .toArray()[0];
      if (seg) bySegment.set(seg.n, [...(bySegment.get(seg.n) ?? []), p]);
    }
    for (const [n, ps] of bySegment) {
      const moved = await segmentStub(this.env, name, n).rowsAt(ps);
      found.push(...moved);
    }
    const gone = positions.filter((p) => !found.some((r) => r.pos === p));
    if (gone.length)
      this.sql.exec("DELETE FROM outbox WHERE pos IN (SELECT value FROM json_each(?))", JSON.stringify(gone));
    const rows = found.map((r) => ({ ...r, after_sub: afterOf.get(r.pos) ?? 0 })).sort((a, b) => a.pos - b.pos);
    return { rows, calls: bySegment.size };
  }

  /** Rows by position with their storage time (a head's outbox reading rows it has moved here). */
  async rowsAt(positions: number[]): Promise<{ pos: number; prev: number; cloudevent: string; stored_at: number }[]> {
    return this.sql
      .exec<{ pos: number; prev: number; cloudevent: string; stored_at: number }>(
        "SELECT pos, prev, cloudevent, stored_at FROM events WHERE pos IN (SELECT value FROM json_each(?))",
        JSON.stringify(positions),
      )
      .toArray();
  }

  /**
   * One step of the head's move to segments: the oldest rows past `ARCHIVE_AFTER_MS` (also ones
   * still in the outbox, so a long hand-over outage does not grow the head) go to the newest segment (a new one once it is full), idempotently; then, in
   * one transaction, the head records the segment's range and deletes them. Returns whether more
   * rows are due.
   */
  private async moveToSegment(name: string, now: number): Promise<boolean> {
    const cutoff = now - this.moveAfterMs();
    // Only a prefix of positions moves: the rows before the first one that must stay. (Storage time
    // rises with position for rows appended since insertRow keeps it so; older rows may not.) A row
    // past the cutoff behind a newer one waits for it, so a reader that read a segment and asks the
    // head for the positions after it misses nothing.
    const stays =
      this.sql.exec<{ p: number | null }>("SELECT MIN(pos) AS p FROM events WHERE stored_at >= ?", cutoff).toArray()[0]
        ?.p ?? null;
    const candidates = this.sql
      .exec<{ pos: number; prev: number; cloudevent: string; stored_at: number }>(
        "SELECT pos, prev, cloudevent, stored_at FROM events WHERE pos < ? ORDER BY pos LIMIT ?",
        stays ?? Number.MAX_SAFE_INTEGER,
        ARCHIVE_BATCH,
      )
      .toArray();
    if (!candidates.length) return false;
    // One step is one RPC: at most MAX_ANSWER_BYTES of events.
    const rows = byBytes(candidates, (r) => r.cloudevent.length)[0]!;
    const limit = Number(this.env.EVENT_LOG_SEGMENT_BYTES) || SEGMENT_BYTES;
    const newest = this.sql
      .exec<{ n: number; bytes: number }>("SELECT n, bytes FROM segments ORDER BY n DESC LIMIT 1")
      .toArray()[0];
    const n = newest && newest.bytes < limit ? newest.n : (newest?.n ?? 0) + 1;
    await segmentStub(this.env, name, n).fill(
      rows.map((r) => ({
        seq: r.pos,
        prev: r.prev,
        event: JSON.parse(r.cloudevent) as CloudEvent,
        storedAt: r.stored_at,
        outbox: false,
      })),
    );
    const bytes = rows.reduce((sum, r) => sum + r.cloudevent.length, 0);
    const newestAt = Math.max(...rows.map((r) => r.stored_at));
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        `INSERT INTO segments (n, first_pos, last_pos, rows, bytes, newest_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (n) DO UPDATE SET first_pos = MIN(first_pos, excluded.first_pos),
           last_pos = MAX(last_pos, excluded.last_pos), rows = rows + excluded.rows,
           bytes = bytes + excluded.bytes, newest_at = MAX(newest_at, excluded.newest_at)`,
        n,
        rows[0]!.pos,
        rows.at(-1)!.pos,
        rows.length,
        bytes,
        newestAt,
      );
      this.sql.exec(
        "DELETE FROM events WHERE pos IN (SELECT value FROM json_each(?))",
        JSON.stringify(rows.map((r) => r.pos)),
      );
    });
    return rows.length < candidates.length || rows.length === ARCHIVE_BATCH;
  }

  /**
   * The next alarm: the earliest outbox due time, when the oldest row is due to move to a segment
   * (a head) or leaves retention, and when the newest segment leaves it (its range is forgotten).
   */
  private async scheduleNext(retentionMs: number): Promise<void> {
    const nextDue = this.sql.exec<{ d: number | null }>("SELECT MIN(due_at) AS d FROM outbox").toArray()[0]?.d ?? null;
    const oldest = oldestStoredAt(this.sql);
    const isHead = !metaText(this.sql, "segment");
    const move = this.moveAfterMs();
    const segmentEnd =
      this.sql.exec<{ t: number | null }>("SELECT MIN(newest_at) AS t FROM segments").toArray()[0]?.t ?? null;
    // A head moves a prefix of positions: the next move is due when its first row is.
    const first = isHead
      ? (this.sql.exec<{ s: number }>("SELECT stored_at AS s FROM events ORDER BY pos LIMIT 1").toArray()[0]?.s ?? null)
      : null;
    const at = Math.min(
      nextDue ?? Infinity,
      oldest === null ? Infinity : oldest + retentionMs,
      first === null ? Infinity : first + move + 1000,
      segmentEnd === null ? Infinity : segmentEnd + retentionMs,
    );
    if (Number.isFinite(at)) await this.ctx.storage.setAlarm(at);
  }

  private moveAfterMs(): number {
    return parseDuration(this.env.EVENT_LOG_ARCHIVE_AFTER, ARCHIVE_AFTER_MS);
  }

  /** Records which head this is (its segments are named after it) and, for a resource's, the resource. */
  private name(name: string, resource?: string): void {
    if (!metaText(this.sql, "name")) setMeta(this.sql, "name", name);
    if (resource && !metaText(this.sql, "resource")) setMeta(this.sql, "resource", resource);
  }

  private async wakeBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
