/**
 * A subscription's push queue in its Durable Object's SQLite storage: the state of the
 * subscription's handshake, one row per push (keyed by the event's position, so a redelivered
 * queue message cannot double-push) and the log of every attempt. Synchronous: `ctx.storage.sql`.
 */
import { pickNext, type AttemptResult, type PushKind } from "./schedule";

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
  /** The kept excerpt of the answer's body, at most 4 KiB (SPEC §4.5). */
  response: string | null;
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

/** Columns added after the first release: objects created before get them in ensureSchema. */
const ADDED_COLUMNS: [table: string, column: string, ddl: string, backfill?: string][] = [
  ["pushes", "cycle_start", "ALTER TABLE pushes ADD COLUMN cycle_start INTEGER NOT NULL DEFAULT 0"],
  // When the push reached its final state (delivered or dead-lettered): retention counts from it.
  // Pushes finished before the column existed count from their failure or, delivered, their enqueueing.
  [
    "pushes",
    "done_at",
    "ALTER TABLE pushes ADD COLUMN done_at INTEGER",
    "UPDATE pushes SET done_at = COALESCE(failed_at, enqueued_at), body = '' WHERE status IN ('delivered', 'failed')",
  ],
  ["attempts", "response", "ALTER TABLE attempts ADD COLUMN response TEXT"],
];

/** Indexes on those columns, and for the next retry without sorting every pending push (issue 8 point 5). */
const LATER_INDEXES = `
CREATE INDEX IF NOT EXISTS pushes_retry ON pushes (due_at, seq) WHERE status = 'pending' AND attempts > 0;
CREATE INDEX IF NOT EXISTS pushes_done ON pushes (done_at) WHERE done_at IS NOT NULL;`;

/** What an attempt is recorded as before its request is sent: if nothing follows, it was cut off. */
export const CUT_OFF_ERROR =
  "No answer recorded: the attempt is under way, or was cut off by an eviction or a restart.";

/** Before an attempt's request: the state to keep if no answer is ever recorded. */
export type Provisional = { kind: "retry"; at: number; reason: string } | { kind: "dead"; reason: string };

type Row = Record<string, SqlStorageValue>;

// The hot queries, named so the query-plan tests check exactly these (no SCAN, no TEMP B-TREE).
export const NEXT_FIRST_SQL =
  "SELECT * FROM pushes WHERE status = 'pending' AND attempts = 0 AND due_at <= ? ORDER BY seq LIMIT 1";
// INDEXED BY: with few rows the planner would otherwise pick pushes_pending and sort (USE TEMP B-TREE).
export const NEXT_RETRY_SQL =
  "SELECT * FROM pushes INDEXED BY pushes_retry WHERE status = 'pending' AND attempts > 0 AND due_at <= ? ORDER BY due_at, seq LIMIT 1";
export const FIRST_DUE_AT_SQL = "SELECT MIN(due_at) AS at FROM pushes WHERE status = 'pending' AND attempts = 0";
export const RETRY_DUE_AT_SQL =
  "SELECT due_at AS at FROM pushes INDEXED BY pushes_retry WHERE status = 'pending' AND attempts > 0 ORDER BY due_at, seq LIMIT 1";
export const OLDEST_DONE_SQL = "SELECT done_at AS at FROM pushes WHERE done_at IS NOT NULL ORDER BY done_at LIMIT 1";
export const PRUNE_PICK_SQL =
  "SELECT seq FROM pushes WHERE done_at IS NOT NULL AND done_at < ? ORDER BY done_at LIMIT ?";

export class PushStore {
  constructor(private readonly sql: SqlStorage) {}

  ensureSchema(): void {
    this.sql.exec(SCHEMA);
    for (const [table, column, ddl, backfill] of ADDED_COLUMNS) {
      const columns = this.sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray();
      if (columns.some((c) => c.name === column)) continue;
      this.sql.exec(ddl);
      if (backfill) this.sql.exec(backfill);
    }
    this.sql.exec(LATER_INDEXES);
  }

  state(): DeliveryState | null {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'state'").toArray()[0];
    return row ? (JSON.parse(row.value) as DeliveryState) : null;
  }

  saveState(s: DeliveryState): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES ('state', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      JSON.stringify(s),
    );
  }

  /** Adds a push unless this event position is already known. Returns whether it was new. */
  add(seq: number, eventId: string, body: string, now: number): boolean {
    const c = this.sql.exec(
      "INSERT INTO pushes (seq, event_id, body, status, attempts, due_at, enqueued_at) VALUES (?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (seq) DO NOTHING",
      seq,
      eventId,
      body,
      now,
      now,
    );
    return c.rowsWritten > 0;
  }

  /** The oldest due first attempt (publish order) and the earliest due retry, each through an index. */
  dueCandidates(now: number): { first: Push | null; retry: Push | null } {
    const first = this.sql.exec<Row>(NEXT_FIRST_SQL, now).toArray()[0];
    const retry = this.sql.exec<Row>(NEXT_RETRY_SQL, now).toArray()[0];
    return { first: first ? toPush(first) : null, retry: retry ? toPush(retry) : null };
  }

  /** The push to attempt next, interleaving first attempts and retries fairly (`pickNext`). */
  nextDue(now: number, last: PushKind | null = null): (Push & { kind: PushKind }) | null {
    const { first, retry } = this.dueCandidates(now);
    const picked = pickNext(first, retry, last);
    return picked ? { ...picked.push, kind: picked.kind } : null;
  }

  /** When the earliest pending push is due, or null when nothing is pending. */
  nextDueAt(): number | null {
    const first = this.sql.exec<{ at: number | null }>(FIRST_DUE_AT_SQL).toArray()[0]?.at ?? null;
    const retry = this.sql.exec<{ at: number | null }>(RETRY_DUE_AT_SQL).toArray()[0]?.at ?? null;
    if (first === null) return retry;
    return retry === null ? first : Math.min(first, retry);
  }

  /** When the oldest finished push reached its final state (retention counts from there), or null. */
  oldestDoneAt(): number | null {
    return this.sql.exec<{ at: number | null }>(OLDEST_DONE_SQL).toArray()[0]?.at ?? null;
  }

  /**
   * Records an attempt before its request is sent (SPEC §4.5): counted, as failed without an answer,
   * and the push already in the state that follows such a failure. `finishAttempt` overwrites both.
   */
  beginAttempt(seq: number, attempt: number, time: Date, provisional: Provisional): void {
    this.sql.exec(
      "INSERT INTO attempts (seq, attempt, status_code, duration_ms, time, error) VALUES (?, ?, NULL, 0, ?, ?) ON CONFLICT DO NOTHING",
      seq,
      attempt,
      time.toISOString(),
      CUT_OFF_ERROR,
    );
    this.sql.exec("UPDATE pushes SET attempts = ?, last_status = NULL, last_body = NULL WHERE seq = ?", attempt, seq);
    if (provisional.kind === "retry") this.retryAt(seq, provisional.at, provisional.reason);
    else this.deadLetter(seq, provisional.reason, time.getTime());
  }

  /** The answer (or error) of an attempt recorded by `beginAttempt`. */
  finishAttempt(seq: number, attempt: number, r: AttemptResult): void {
    this.sql.exec(
      "UPDATE attempts SET status_code = ?, duration_ms = ?, error = ?, response = ? WHERE seq = ? AND attempt = ?",
      r.statusCode,
      r.durationMs,
      r.error,
      r.responseSnippet,
      seq,
      attempt,
    );
    this.sql.exec(
      "UPDATE pushes SET last_status = ?, last_body = ? WHERE seq = ?",
      r.statusCode,
      r.responseSnippet,
      seq,
    );
  }

  logAttempt(seq: number, attempt: number, r: AttemptResult, time: Date): void {
    this.sql.exec(
      "INSERT INTO attempts (seq, attempt, status_code, duration_ms, time, error, response) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      seq,
      attempt,
      r.statusCode,
      r.durationMs,
      time.toISOString(),
      r.error,
      r.responseSnippet,
    );
    this.sql.exec(
      "UPDATE pushes SET attempts = ?, last_status = ?, last_body = ? WHERE seq = ?",
      attempt,
      r.statusCode,
      r.responseSnippet,
      seq,
    );
  }

  /** Final: the event's body copy is dropped (a redelivery reads it from D1 again). */
  delivered(seq: number, now: number): void {
    this.sql.exec(
      "UPDATE pushes SET status = 'delivered', due_at = NULL, reason = NULL, done_at = ?, body = '' WHERE seq = ?",
      now,
      seq,
    );
  }

  retryAt(seq: number, at: number, reason: string): void {
    this.sql.exec("UPDATE pushes SET due_at = ?, reason = ? WHERE seq = ?", at, reason, seq);
  }

  /** Dead-letters a push: it keeps its reason and last response and stays visible. */
  deadLetter(seq: number, reason: string, now: number): void {
    this.sql.exec(
      "UPDATE pushes SET status = 'failed', due_at = NULL, reason = ?, failed_at = ?, done_at = ?, body = '' WHERE seq = ?",
      reason,
      now,
      now,
      seq,
    );
  }

  /** Every pending push dead-lettered at once (the subscription was disabled). */
  deadLetterPending(reason: string, now: number): void {
    this.sql.exec(
      "UPDATE pushes SET status = 'failed', due_at = NULL, reason = ?, failed_at = ?, done_at = ?, body = '' WHERE status = 'pending'",
      reason,
      now,
      now,
    );
  }

  /**
   * Queues a push again (redeliver): the newest push of that event id. It gets the whole retry
   * schedule anew; its attempt log keeps counting.
   */
  requeueEvent(eventId: string, now: number): boolean {
    const c = this.sql.exec(
      "UPDATE pushes SET status = 'pending', due_at = ?, failed_at = NULL, done_at = NULL, cycle_start = attempts WHERE seq = (SELECT MAX(seq) FROM pushes WHERE event_id = ?)",
      now,
      eventId,
    );
    return c.rowsWritten > 0;
  }

  /** Queues every push dead-lettered at or after `since` again, each with the whole retry schedule anew. */
  requeueFailedSince(since: number, now: number): number {
    // Counted from RETURNING: `rowsWritten` also counts index writes.
    return this.sql
      .exec(
        "UPDATE pushes SET status = 'pending', due_at = ?, failed_at = NULL, done_at = NULL, cycle_start = attempts WHERE status = 'failed' AND failed_at >= ? RETURNING seq",
        now,
        since,
      )
      .toArray().length;
  }

  /** Forgets pushes held while the endpoint was being validated that were published before validation. */
  dropPendingThrough(seq: number): void {
    this.sql.exec("DELETE FROM pushes WHERE status = 'pending' AND attempts = 0 AND seq <= ?", seq);
  }

  /**
   * Retention (SPEC §7.2): forgets up to `limit` pushes (delivered or dead-lettered) that reached their
   * final state before `before`, with their attempts, oldest first. Returns how many went.
   */
  pruneFinished(before: number, limit: number): number {
    const seqs = this.sql
      .exec<{ seq: number }>(PRUNE_PICK_SQL, before, limit)
      .toArray()
      .map((r) => r.seq);
    if (!seqs.length) return 0;
    const list = JSON.stringify(seqs);
    this.sql.exec("DELETE FROM attempts WHERE seq IN (SELECT value FROM json_each(?))", list);
    this.sql.exec("DELETE FROM pushes WHERE seq IN (SELECT value FROM json_each(?))", list);
    return seqs.length;
  }

  /** Which of these positions this object holds already (gap filling skips them). */
  held(seqs: number[]): Set<number> {
    if (!seqs.length) return new Set();
    const rows = this.sql
      .exec<{ seq: number }>(
        "SELECT seq FROM pushes WHERE seq IN (SELECT value FROM json_each(?))",
        JSON.stringify(seqs),
      )
      .toArray();
    return new Set(rows.map((r) => r.seq));
  }

  seqOfEvent(eventId: string): number | null {
    const row = this.sql
      .exec<{ seq: number | null }>("SELECT MAX(seq) AS seq FROM pushes WHERE event_id = ?", eventId)
      .toArray()[0];
    return row?.seq ?? null;
  }

  /** Newest first, positions below `beforeSeq`. */
  list(q: { status?: PushStatus; beforeSeq: number; size: number }): DeliveryView[] {
    const rows = q.status
      ? this.sql
          .exec<Row>(
            "SELECT * FROM pushes WHERE seq < ? AND status = ? ORDER BY seq DESC LIMIT ?",
            q.beforeSeq,
            q.status,
            q.size,
          )
          .toArray()
      : this.sql
          .exec<Row>("SELECT * FROM pushes WHERE seq < ? ORDER BY seq DESC LIMIT ?", q.beforeSeq, q.size)
          .toArray();
    return rows.map((row) => {
      const seq = row.seq as number;
      const attempts = this.sql
        .exec<Row>("SELECT * FROM attempts WHERE seq = ? ORDER BY attempt", seq)
        .toArray()
        .map((a) => ({
          attempt: a.attempt as number,
          statusCode: (a.status_code as number | null) ?? null,
          durationMs: a.duration_ms as number,
          time: a.time as string,
          error: (a.error as string | null) ?? null,
          response: (a.response as string | null) ?? null,
        }));
      const status = row.status as PushStatus;
      return {
        seq,
        eventId: row.event_id as string,
        status,
        attempts,
        nextAttemptAt:
          status === "pending" && row.due_at !== null ? new Date(row.due_at as number).toISOString() : null,
        ...(status === "failed"
          ? {
              reason: row.reason as string,
              lastResponse: {
                statusCode: (row.last_status as number | null) ?? null,
                body: (row.last_body as string | null) ?? null,
              },
            }
          : {}),
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
