/**
 * `IdGuard`: idempotency on `(source, id)` across resources (SPEC §4.3). The pair is hashed onto one
 * of `GUARD_BUCKETS` objects, which records which resource the pair was first published to before
 * the append. A repeat to the same resource appends again (the log's own unique index makes that a
 * no-op, and finishes an append a crash cut off); a repeat to another resource is a duplicate.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../env";
import { retentionSettings } from "../../retention/settings";

const PRUNE_BATCH = 500;

export interface Claim {
  resource: string;
  /** Set when the pair was claimed before: the time of the first claim. */
  repeatSince?: number;
}

export class IdGuard extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS claims (source TEXT NOT NULL, id TEXT NOT NULL, resource TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (source, id))",
    );
    this.sql.exec("CREATE INDEX IF NOT EXISTS claims_at ON claims (at)");
  }

  /**
   * The resource (source, id) belongs to: `resource` when new, else the one it was first claimed
   * for, with the time of that first claim (a repeat: the event may be stored since then).
   */
  async claim(source: string, id: string, resource: string, nowMs: number): Promise<Claim> {
    const held = this.sql
      .exec<{ resource: string; at: number }>("SELECT resource, at FROM claims WHERE source = ? AND id = ?", source, id)
      .toArray()[0];
    if (held) return { resource: held.resource, repeatSince: held.at };
    this.sql.exec("INSERT INTO claims (source, id, resource, at) VALUES (?, ?, ?, ?)", source, id, resource, nowMs);
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(nowMs + retentionSettings(this.env).eventsMs);
    return { resource };
  }

  /**
   * The backfill's claims for rows carried over from the D1 log, at the time each was stored there
   * (idempotent; an earlier time wins). A publisher repeating such an event later gets it as a
   * repeat since then, so the log finds the stored row, also once it moved to a segment.
   */
  async claimStored(claims: { source: string; id: string; resource: string; at: number }[]): Promise<void> {
    if (!claims.length) return;
    this.ctx.storage.transactionSync(() => {
      for (const c of claims)
        this.sql.exec(
          `INSERT INTO claims (source, id, resource, at) VALUES (?, ?, ?, ?)
           ON CONFLICT (source, id) DO UPDATE SET at = MIN(at, excluded.at) WHERE resource = excluded.resource`,
          c.source,
          c.id,
          c.resource,
          c.at,
        );
    });
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Math.min(...claims.map((c) => c.at)) + retentionSettings(this.env).eventsMs);
  }

  /** Claims end with their events' retention (the D1 log forgot a pruned (source, id) too). */
  override async alarm(): Promise<void> {
    const retentionMs = retentionSettings(this.env).eventsMs;
    const now = Date.now();
    this.sql.exec(
      "DELETE FROM claims WHERE rowid IN (SELECT rowid FROM claims WHERE at < ? ORDER BY at LIMIT ?)",
      now - retentionMs,
      PRUNE_BATCH,
    );
    const oldest = this.sql.exec<{ a: number | null }>("SELECT MIN(at) AS a FROM claims").toArray()[0]?.a ?? null;
    if (oldest !== null) await this.ctx.storage.setAlarm(Math.max(now + 1000, oldest + retentionMs));
  }
}
