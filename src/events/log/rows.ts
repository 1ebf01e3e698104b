/**
 * The event rows kept in a log object's own SQLite storage: one table shape for a resource's log
 * head (`log:<urn>`), a party's head (`party:<id>`) and their segments, with the read filters of SPEC §4.3 evaluated
 * there. `(source, id)` is unique within the object; across objects `IdGuard` keeps it unique.
 */
import type { CloudEvent } from "../cloudevent";
import { wildcardGlob } from "../cursor";
import type { EventQuery, StoredEvent } from "../queries";

/** An event as a log object answers it: its position and its JSON (a CloudEvent does not cross RPC as a type). */
export type RawEvent = {
  seq: number;
  prev: number;
  cloudevent: string;
};

export function parsed(rows: RawEvent[]): (StoredEvent & { prev: number })[] {
  return rows.map((r) => ({ seq: r.seq, prev: r.prev, event: JSON.parse(r.cloudevent) as CloudEvent }));
}
import { nextPosition } from "./position";

export const ROWS_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS events (
    pos INTEGER PRIMARY KEY,
    prev INTEGER NOT NULL,
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    resource TEXT NOT NULL,
    type TEXT NOT NULL,
    subject TEXT,
    alternativesubject TEXT,
    time TEXT NOT NULL,
    cloudevent TEXT NOT NULL,
    stored_at INTEGER NOT NULL
  )`,
  "CREATE UNIQUE INDEX IF NOT EXISTS events_source_id ON events (source, id)",
  "CREATE INDEX IF NOT EXISTS events_id ON events (id)",
  "CREATE INDEX IF NOT EXISTS events_subject ON events (subject, pos)",
  "CREATE INDEX IF NOT EXISTS events_stored ON events (stored_at)",
  // The highest position ever given: positions are never reused, even after retention emptied the table.
  "CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v)",
];

export function ensureRows(sql: SqlStorage): void {
  for (const s of ROWS_SCHEMA) sql.exec(s);
}

function meta(sql: SqlStorage, k: string): SqlStorageValue | undefined {
  return sql.exec<{ v: SqlStorageValue }>("SELECT v FROM meta WHERE k = ?", k).toArray()[0]?.v;
}

export function setMeta(sql: SqlStorage, k: string, v: SqlStorageValue): void {
  sql.exec("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", k, v);
}

export function metaText(sql: SqlStorage, k: string): string | null {
  const v = meta(sql, k);
  return typeof v === "string" ? v : null;
}

export function lastPosition(sql: SqlStorage): number {
  const v = meta(sql, "last_pos");
  return typeof v === "number" ? v : 0;
}

/** The position of (source, id) here, or null. */
export function positionOfSourceId(sql: SqlStorage, source: string, id: string): number | null {
  return (
    sql.exec<{ pos: number }>("SELECT pos FROM events WHERE source = ? AND id = ?", source, id).toArray()[0]?.pos ??
    null
  );
}

/**
 * Stores the event at `pos` (a new position when undefined) unless (source, id) or the position is
 * already held. Returns the position and the previous stored one (0: none), and whether it was new.
 * Call inside a transaction.
 */
export function insertRow(
  sql: SqlStorage,
  event: CloudEvent,
  storedAt: number,
  given?: { pos: number; prev?: number },
): { pos: number; prev: number; created: boolean } {
  const held = positionOfSourceId(sql, event.source, event.id);
  if (held !== null) return { pos: held, prev: previousOf(sql, held), created: false };
  const last = lastPosition(sql);
  const at = given?.pos ?? nextPosition(last, storedAt);
  if (given && sql.exec("SELECT 1 FROM events WHERE pos = ?", given.pos).toArray().length)
    return { pos: given.pos, prev: previousOf(sql, given.pos), created: false };
  // A new position follows the last one given (its rows may have moved to a segment since); a
  // carried-over row keeps the previous position it was given, or the one before it here.
  const prev = given ? (given.prev ?? previousOf(sql, at)) : last;
  // The caller's clock is not the append order (a request's start time, one time for a whole run):
  // a row at a new last position is stored no earlier than any before it, so storage time never
  // falls as positions rise and the move to segments can take a prefix of positions.
  const stored = at > last ? Math.max(storedAt, newestStoredAt(sql)) : storedAt;
  sql.exec(
    "INSERT INTO events (pos, prev, id, source, resource, type, subject, alternativesubject, time, cloudevent, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    at,
    prev,
    event.id,
    event.source,
    event.resource,
    event.type,
    event.subject ?? null,
    event.alternativesubject ?? null,
    new Date(event.time).toISOString(),
    JSON.stringify(event),
    stored,
  );
  if (at > last) {
    setMeta(sql, "last_pos", at);
    setMeta(sql, "last_stored_at", stored);
  }
  return { pos: at, prev, created: true };
}

/** The newest storage time given here (rows moved to a segment count too: the meta value keeps it). */
function newestStoredAt(sql: SqlStorage): number {
  const kept = meta(sql, "last_stored_at");
  const inRows = sql.exec<{ s: number | null }>("SELECT MAX(stored_at) AS s FROM events").toArray()[0]?.s ?? 0;
  return Math.max(typeof kept === "number" ? kept : 0, inRows);
}

function previousOf(sql: SqlStorage, pos: number): number {
  return sql.exec<{ p: number | null }>("SELECT MAX(pos) AS p FROM events WHERE pos < ?", pos).toArray()[0]?.p ?? 0;
}

/** The D1 log's read filters (SPEC §4.3, `EventQuery`), within one log object and by position. */
export interface RowQuery extends Omit<EventQuery, "resource" | "afterSeq"> {
  afterPos: number;
  /** Only positions below this (gap filling). */
  beforePos?: number;
  /**
   * Bytes of events (UTF-8) this answer may still carry: what is left of a page's budget after
   * earlier answers. Absent: `MAX_ANSWER_BYTES`, and the answer holds at least one row.
   */
  bytesLeft?: number;
}

/** One object's answer to a page read; `cut`: it stopped at the byte budget, rows after the last may follow. */
export interface RowAnswer {
  rows: RawEvent[];
  cut: boolean;
  bytes: number;
}

const encoder = new TextEncoder();

/** The UTF-8 size of a stored event, what the answer limits count. */
export function eventBytes(cloudevent: string): number {
  return encoder.encode(cloudevent).byteLength;
}

function patternOrEqual(column: string, filter: string, binds: SqlStorageValue[]): string {
  if (filter.includes("%")) {
    binds.push(wildcardGlob(filter));
    return `${column} GLOB ?`;
  }
  binds.push(filter);
  return `${column} = ?`;
}

/**
 * A page of events after a position, in position order, with SPEC §4.3's filters, cut before the
 * row that would take it past `q.bytesLeft` (then `cut`: the caller must not read past its last row).
 */
export function listRows(sql: SqlStorage, q: RowQuery): RowAnswer {
  const where = ["pos > ?"];
  const binds: SqlStorageValue[] = [q.afterPos];
  if (q.beforePos !== undefined) {
    where.push("pos < ?");
    binds.push(q.beforePos);
  }
  if (q.resourcePrefix) {
    where.push("resource GLOB ?");
    binds.push(`${wildcardGlob(q.resourcePrefix)}*`);
  }
  if (q.subject) {
    where.push("subject = ?");
    binds.push(q.subject);
  }
  if (q.alternativeSubject) {
    where.push("alternativesubject = ?");
    binds.push(q.alternativeSubject);
  }
  if (q.source) where.push(patternOrEqual("source", q.source, binds));
  if (q.types?.length) where.push(`(${q.types.map((t) => patternOrEqual("type", t, binds)).join(" OR ")})`);
  if (q.from) {
    where.push("time >= ?");
    binds.push(q.from);
  }
  if (q.to) {
    where.push("time <= ?");
    binds.push(q.to);
  }
  binds.push(q.size);
  const limit = Math.min(q.bytesLeft ?? MAX_ANSWER_BYTES, MAX_ANSWER_BYTES);
  const takeOne = q.bytesLeft === undefined;
  const rows: RawEvent[] = [];
  let bytes = 0;
  for (const row of sql.exec<RawEvent>(
    `SELECT pos AS seq, prev, cloudevent FROM events WHERE ${where.join(" AND ")} ORDER BY pos LIMIT ?`,
    ...binds,
  )) {
    const n = eventBytes(row.cloudevent);
    if (bytes + n > limit && (rows.length || !takeOne)) return { rows, cut: true, bytes };
    rows.push(row);
    bytes += n;
  }
  return { rows, cut: false, bytes };
}

/**
 * Bytes of events one answer of a log object carries at most (an RPC message may hold 32 MiB; a
 * page of 1,000 events of 64 KiB would not fit). A page cut short here still has a `next` link.
 */
export const MAX_ANSWER_BYTES = 8_000_000;

/** Splits items into consecutive groups of at most `MAX_ANSWER_BYTES` (each group holds at least one). */
export function byBytes<T>(items: T[], size: (item: T) => number, limit = MAX_ANSWER_BYTES): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (group.length && bytes + n > limit) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(item);
    bytes += n;
  }
  if (group.length) groups.push(group);
  return groups;
}

/** The first position of an event id, optionally only among one subject's events. */
export function positionOfId(sql: SqlStorage, id: string, subject?: string): number | null {
  const rows = subject
    ? sql.exec<{ pos: number }>("SELECT pos FROM events WHERE id = ? AND subject = ? ORDER BY pos LIMIT 1", id, subject)
    : sql.exec<{ pos: number }>("SELECT pos FROM events WHERE id = ? ORDER BY pos LIMIT 1", id);
  return rows.toArray()[0]?.pos ?? null;
}

/** Deletes up to `limit` rows stored before `cutoff`; returns how many went. */
export function pruneRows(sql: SqlStorage, cutoff: number, limit: number): number {
  return sql.exec(
    "DELETE FROM events WHERE pos IN (SELECT pos FROM events WHERE stored_at < ? ORDER BY stored_at LIMIT ?)",
    cutoff,
    limit,
  ).rowsWritten;
}

/** When the oldest row falls out of retention (null: empty). */
export function oldestStoredAt(sql: SqlStorage): number | null {
  return sql.exec<{ s: number | null }>("SELECT MIN(stored_at) AS s FROM events").toArray()[0]?.s ?? null;
}
