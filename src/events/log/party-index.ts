/**
 * `PartyIndex`: one SQLite Durable Object per party, holding a copy of every app event about that
 * party (`subject` `/party/{id}` on an `app_` resource), so `GET /app/party` reads one object across
 * every app (SPEC §4.3). Its own positions order the party's reads; publish writes here before it
 * answers, so a party reads its own writes. Idempotent on (source, id).
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../env";
import { retentionSettings } from "../../retention/settings";
import type { CloudEvent } from "../cloudevent";
import {
  ensureRows,
  insertRow,
  listRows,
  oldestStoredAt,
  positionOfId,
  pruneRows,
  type RawEvent,
  type RowQuery,
} from "./rows";
import type { ImportedRow } from "./event-log";

const PRUNE_BATCH = 500;

export class PartyIndex extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ensureRows(this.sql);
  }

  async add(event: CloudEvent, nowMs: number): Promise<number> {
    const r = this.ctx.storage.transactionSync(() => insertRow(this.sql, event, nowMs));
    await this.pruneLater(nowMs);
    return r.pos;
  }

  /** The backfill: party events of the D1 log at their old `seq`, so old `vc1` cursors read on. */
  async importRows(rows: ImportedRow[]): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      for (const row of [...rows].sort((a, b) => a.seq - b.seq))
        insertRow(this.sql, row.event, row.storedAt, { pos: row.seq });
    });
    await this.pruneLater(Date.now());
  }

  async list(q: RowQuery): Promise<RawEvent[]> {
    return listRows(this.sql, q);
  }

  async positionOfId(id: string): Promise<number | null> {
    return positionOfId(this.sql, id);
  }

  override async alarm(): Promise<void> {
    const retentionMs = retentionSettings(this.env).eventsMs;
    pruneRows(this.sql, Date.now() - retentionMs, PRUNE_BATCH);
    const oldest = oldestStoredAt(this.sql);
    if (oldest !== null) await this.ctx.storage.setAlarm(Math.max(Date.now() + 1000, oldest + retentionMs));
  }

  private async pruneLater(nowMs: number): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(nowMs + retentionSettings(this.env).eventsMs);
  }
}
