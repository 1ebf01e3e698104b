/**
 * A subscription's push queue in its Durable Object's SQLite storage: the state of the
 * subscription's handshake, one row per push (keyed by the event's position, so a redelivered
 * queue message cannot double-push) and the log of every attempt. Synchronous: `ctx.storage.sql`.
 */
import type { AttemptResult } from "./schedule";

export interface DeliveryState {
  subscriptionId: number;
  /** `{base}/events/api/v1/subscriptions/{id}`: the validation event's source. */
  source: string;
  validated: boolean;
  /** Events at or before this position were published before validation: never pushed. */
  validatedSeq: number;
  validationAttempts: number;
  /** When the next validation attempt is due; null once validated or given up. */
  validationDueAt: number | null;
  disabled: boolean;
  /** The highest event position handed to this object so far (absent: none since validation). */
  seenSeq?: number;
}

export type PushStatus = "pending" | "delivered" | "failed";

export interface Push {
  seq: number;
  eventId: string;
  body: string;
  status: PushStatus;
  attempts: number;
  /** Attempts made before the push was last queued again by redeliver or recover: a new cycle starts there. */
  cycleStart: number;
  dueAt: number | null;
}

export interface AttemptLog {
  attempt: number;
  statusCode: number | null;
  durationMs: number;
  time: string;
  error: string | null;
}

export interface DeliveryView {
  seq: number;
  eventId: string;
  status: PushStatus;
  attempts: AttemptLog[];
  nextAttemptAt: string | null;
  reason?: string;
  lastResponse?: { statusCode: number | null; body: string | null };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pushes (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at INTEGER,
  reason TEXT,
  last_status INTEGER,
  last_body TEXT,
  enqueued_at INTEGER NOT NULL,
  failed_at INTEGER
);
CREATE INDEX IF NOT EXISTS pushes_pending ON pushes (status, attempts, seq);
CREATE INDEX IF NOT EXISTS pushes_event ON pushes (event_id);
CREATE TABLE IF NOT EXISTS attempts (
  seq INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  status_code INTEGER,
  duration_ms INTEGER NOT NULL,
  time TEXT NOT NULL,
  error TEXT,
  PRIMARY KEY (seq, attempt)
);`;

type Row = Record<string, SqlStorageValue>;

export class PushStore {
  constructor(private readonly sql: SqlStorage) {}

  ensureSchema(): void {
    this.sql.exec(SCHEMA);
    // Added after the first release of this table: objects created before it get the column here.
    const columns = this.sql.exec<{ name: string }>("PRAGMA table_info(pushes)").toArray();
    if (!columns.some((c) => c.name === "cycle_start")) this.sql.exec("ALTER TABLE pushes ADD COLUMN cycle_start INTEGER NOT NULL DEFAULT 0");
  }

  state(): DeliveryState | null {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'state'").toArray()[0];
    return row ? (JSON.parse(row.value) as DeliveryState) : null;
  }

  saveState(s: DeliveryState): void {
    this.sql.exec("INSERT INTO meta (key, value) VALUES ('state', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", JSON.stringify(s));
  }

  /** Adds a push unless this event position is already known. Returns whether it was new. */
  add(seq: number, eventId: string, body: string, now: number): boolean {
    const c = this.sql.exec("INSERT INTO pushes (seq, event_id, body, status, attempts, due_at, enqueued_at) VALUES (?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (seq) DO NOTHING", seq, eventId, body, now, now);
    return c.rowsWritten > 0;
  }

  /** The next push to attempt: first attempts in publish order before any retry, then due retries. */
  nextDue(now: number): Push | null {
    const first = this.sql.exec<Row>("SELECT * FROM pushes WHERE status = 'pending' AND attempts = 0 AND due_at <= ? ORDER BY seq LIMIT 1", now).toArray()[0];
    const row = first ?? this.sql.exec<Row>("SELECT * FROM pushes WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, seq LIMIT 1", now).toArray()[0];
    return row ? toPush(row) : null;
  }

  /** When the earliest pending push is due, or null when nothing is pending. */
  nextDueAt(): number | null {
    const row = this.sql.exec<{ at: number | null }>("SELECT MIN(due_at) AS at FROM pushes WHERE status = 'pending'").toArray()[0];
    return row?.at ?? null;
  }

  logAttempt(seq: number, attempt: number, r: AttemptResult, time: Date): void {
    this.sql.exec(
      "INSERT INTO attempts (seq, attempt, status_code, duration_ms, time, error) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      seq,
      attempt,
      r.statusCode,
      r.durationMs,
      time.toISOString(),
      r.error,
    );
    this.sql.exec("UPDATE pushes SET attempts = ?, last_status = ?, last_body = ? WHERE seq = ?", attempt, r.statusCode, r.responseSnippet, seq);
  }

  delivered(seq: number): void {
    this.sql.exec("UPDATE pushes SET status = 'delivered', due_at = NULL, reason = NULL WHERE seq = ?", seq);
  }

  retryAt(seq: number, at: number, reason: string): void {
    this.sql.exec("UPDATE pushes SET due_at = ?, reason = ? WHERE seq = ?", at, reason, seq);
  }

  /** Dead-letters a push: it keeps its reason and last response and stays visible. */
  deadLetter(seq: number, reason: string, now: number): void {
    this.sql.exec("UPDATE pushes SET status = 'failed', due_at = NULL, reason = ?, failed_at = ? WHERE seq = ?", reason, now, seq);
  }

  /** Every pending push dead-lettered at once (the subscription was disabled). */
  deadLetterPending(reason: string, now: number): void {
    this.sql.exec("UPDATE pushes SET status = 'failed', due_at = NULL, reason = ?, failed_at = ? WHERE status = 'pending'", reason, now);
  }

  /**
   * Queues a push again (redeliver): the newest push of that event id. It gets the whole retry
   * schedule anew; its attempt log keeps counting.
   */
  requeueEvent(eventId: string, now: number): boolean {
    const c = this.sql.exec("UPDATE pushes SET status = 'pending', due_at = ?, failed_at = NULL, cycle_start = attempts WHERE seq = (SELECT MAX(seq) FROM pushes WHERE event_id = ?)", now, eventId);
    return c.rowsWritten > 0;
  }

  /** Queues every push dead-lettered at or after `since` again, each with the whole retry schedule anew. */
  requeueFailedSince(since: number, now: number): number {
    // Counted from RETURNING: `rowsWritten` also counts index writes.
    return this.sql.exec("UPDATE pushes SET status = 'pending', due_at = ?, failed_at = NULL, cycle_start = attempts WHERE status = 'failed' AND failed_at >= ? RETURNING seq", now, since).toArray().length;
  }

  /** Forgets pushes held while the endpoint was being validated that were published before validation. */
  dropPendingThrough(seq: number): void {
    this.sql.exec("DELETE FROM pushes WHERE status = 'pending' AND attempts = 0 AND seq <= ?", seq);
  }

  /** Forgets delivered pushes (and their attempts) enqueued before `before`; dead letters stay. */
  pruneDelivered(before: number): void {
    this.sql.exec("DELETE FROM attempts WHERE seq IN (SELECT seq FROM pushes WHERE status = 'delivered' AND enqueued_at < ?)", before);
    this.sql.exec("DELETE FROM pushes WHERE status = 'delivered' AND enqueued_at < ?", before);
  }

  seqOfEvent(eventId: string): number | null {
    const row = this.sql.exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM pushes WHERE event_id = ?", eventId).toArray()[0];
    return row?.seq ?? null;
  }

  /** Newest first, positions below `beforeSeq`. */
  list(q: { status?: PushStatus; beforeSeq: number; size: number }): DeliveryView[] {
    const rows = q.status
      ? this.sql.exec<Row>("SELECT * FROM pushes WHERE seq < ? AND status = ? ORDER BY seq DESC LIMIT ?", q.beforeSeq, q.status, q.size).toArray()
      : this.sql.exec<Row>("SELECT * FROM pushes WHERE seq < ? ORDER BY seq DESC LIMIT ?", q.beforeSeq, q.size).toArray();
    return rows.map((row) => {
      const seq = row.seq as number;
      const attempts = this.sql
        .exec<Row>("SELECT * FROM attempts WHERE seq = ? ORDER BY attempt", seq)
        .toArray()
        .map((a) => ({ attempt: a.attempt as number, statusCode: (a.status_code as number | null) ?? null, durationMs: a.duration_ms as number, time: a.time as string, error: (a.error as string | null) ?? null }));
      const status = row.status as PushStatus;
      return {
        seq,
        eventId: row.event_id as string,
        status,
        attempts,
        nextAttemptAt: status === "pending" && row.due_at !== null ? new Date(row.due_at as number).toISOString() : null,
        ...(status === "failed" ? { reason: row.reason as string, lastResponse: { statusCode: (row.last_status as number | null) ?? null, body: (row.last_body as string | null) ?? null } } : {}),
      };
    });
  }
}

function toPush(row: Row): Push {
  return {
    seq: row.seq as number,
    eventId: row.event_id as string,
    body: row.body as string,
    status: row.status as PushStatus,
    attempts: row.attempts as number,
    cycleStart: (row.cycle_start as number | null) ?? 0,
    dueAt: (row.due_at as number | null) ?? null,
  };
}
