/**
 * `EventLog`: one SQLite Durable Object per resource holding that resource's events (SPEC §9,
 * docs/event-log.md). An append is one synchronous transaction: the `(source, id)` check, the row
 * at the next position, the outbox row; the alarm is set with it. It answers after the commit, so
 * the event is durable and readable from this object when publish returns (read-your-writes, since
 * reads for the resource come here too). The alarm hands the outbox to the subscriptions' objects
 * and applies retention.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../env";
import { errorText } from "../../lib/errors";
import { retentionSettings } from "../../retention/settings";
import type { CloudEvent } from "../cloudevent";
import { handOverToSubscriptions, type LogItem } from "./handover";
import {
  ensureRows,
  insertRow,
  lastPosition,
  listRows,
  metaText,
  oldestStoredAt,
  positionOfId,
  pruneRows,
  setMeta,
  type RawEvent,
  type RowQuery,
} from "./rows";

/** Outbox events handed over per alarm run (more: the alarm runs again at once). */
export const OUTBOX_BATCH = 100;
/** A failed hand-over is tried again after this long. */
export const OUTBOX_RETRY_MS = 10_000;
/** Expired rows deleted per alarm run. */
const PRUNE_BATCH = 500;

export interface Appended {
  pos: number;
  prev: number;
  /** False: (source, id) was already stored here (the position is the stored event's). */
  created: boolean;
}

/** A row carried over from the D1 log by the backfill (src/events/log/backfill.ts). */
export interface ImportedRow {
  seq: number;
  event: CloudEvent;
  storedAt: number;
  /** Still unconfirmed in the D1 outbox: the log's outbox pushes it. */
  outbox: boolean;
}

export class EventLog extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ensureRows(this.sql);
    this.sql.exec("CREATE TABLE IF NOT EXISTS outbox (pos INTEGER PRIMARY KEY, due_at INTEGER NOT NULL)");
  }

  /** Stores the event (idempotent on (source, id)) with its outbox row, in one transaction. */
  async append(event: CloudEvent, nowMs: number): Promise<Appended> {
    const r = this.ctx.storage.transactionSync(() => {
      if (!metaText(this.sql, "resource")) setMeta(this.sql, "resource", event.resource);
      const stored = insertRow(this.sql, event, nowMs);
      if (stored.created) this.sql.exec("INSERT INTO outbox (pos, due_at) VALUES (?, ?)", stored.pos, nowMs);
      return stored;
    });
    if (r.created) await this.wakeBy(nowMs);
    return r;
  }

  /** The backfill: rows of the D1 log at their old `seq` (idempotent), unconfirmed ones into the outbox. */
  async importRows(rows: ImportedRow[]): Promise<number> {
    const now = Date.now();
    const added = this.ctx.storage.transactionSync(() => {
      let n = 0;
      for (const row of [...rows].sort((a, b) => a.seq - b.seq)) {
        if (!metaText(this.sql, "resource")) setMeta(this.sql, "resource", row.event.resource);
        const stored = insertRow(this.sql, row.event, row.storedAt, row.seq);
        if (!stored.created) continue;
        n++;
        if (row.outbox) this.sql.exec("INSERT OR IGNORE INTO outbox (pos, due_at) VALUES (?, ?)", stored.pos, now);
      }
      return n;
    });
    await this.wakeBy(now);
    return added;
  }

  async list(q: RowQuery): Promise<RawEvent[]> {
    return listRows(this.sql, q);
  }

  async positionOfId(id: string, subject?: string): Promise<number | null> {
    return positionOfId(this.sql, id, subject);
  }

  /** The newest position given (0: none): a subscription validated now skips everything up to it. */
  async latest(): Promise<number> {
    return lastPosition(this.sql);
  }

  /** Header columns of the events strictly between two positions (a subscription object's gap fill). */
  async between(after: number, before: number, limit: number): Promise<RawEvent[]> {
    return this.sql
      .exec<RawEvent>(
        "SELECT pos AS seq, prev, cloudevent FROM events WHERE pos > ? AND pos < ? ORDER BY pos LIMIT ?",
        after,
        before,
        limit,
      )
      .toArray();
  }

  /** Events by position (bodies for a subscription object). */
  async at(positions: number[]): Promise<RawEvent[]> {
    if (!positions.length) return [];
    return this.sql
      .exec<RawEvent>(
        "SELECT pos AS seq, prev, cloudevent FROM events WHERE pos IN (SELECT value FROM json_each(?)) ORDER BY pos",
        JSON.stringify(positions),
      )
      .toArray();
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
    const due = this.sql
      .exec<{ pos: number; prev: number; cloudevent: string }>(
        "SELECT e.pos, e.prev, e.cloudevent FROM outbox o JOIN events e ON e.pos = o.pos WHERE o.due_at <= ? ORDER BY o.pos LIMIT ?",
        now,
        OUTBOX_BATCH,
      )
      .toArray();
    // Outbox rows whose event retention already removed have nothing left to push.
    this.sql.exec("DELETE FROM outbox WHERE pos NOT IN (SELECT pos FROM events)");
    if (due.length && resource) {
      const items: LogItem[] = due.map((r) => ({
        seq: r.pos,
        prev: r.prev,
        event: JSON.parse(r.cloudevent) as CloudEvent,
      }));
      let ok = false;
      try {
        ok = await handOverToSubscriptions(this.env, resource, items);
      } catch (e) {
        console.error(JSON.stringify({ msg: "log hand-over failed; retried", resource, error: errorText(e) }));
      }
      const positions = JSON.stringify(items.map((i) => i.seq));
      if (ok) this.sql.exec("DELETE FROM outbox WHERE pos IN (SELECT value FROM json_each(?))", positions);
      else
        this.sql.exec(
          "UPDATE outbox SET due_at = ? WHERE pos IN (SELECT value FROM json_each(?))",
          now + OUTBOX_RETRY_MS,
          positions,
        );
    }
    const retentionMs = retentionSettings(this.env).eventsMs;
    pruneRows(this.sql, now - retentionMs, PRUNE_BATCH);
    await this.scheduleNext(retentionMs);
  }

  /** The next alarm: the earliest outbox due time, else when the oldest row leaves retention. */
  private async scheduleNext(retentionMs: number): Promise<void> {
    const nextDue = this.sql.exec<{ d: number | null }>("SELECT MIN(due_at) AS d FROM outbox").toArray()[0]?.d ?? null;
    const oldest = oldestStoredAt(this.sql);
    const at = Math.min(nextDue ?? Infinity, oldest === null ? Infinity : oldest + retentionMs);
    if (Number.isFinite(at)) await this.ctx.storage.setAlarm(at);
  }

  private async wakeBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
