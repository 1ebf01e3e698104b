import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const events = sqliteTable("events", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  id: text("id").notNull(),
  source: text("source").notNull(),
  resource: text("resource").notNull(),
  type: text("type").notNull(),
  subject: text("subject"),
  alternativesubject: text("alternativesubject"),
  time: text("time").notNull(),
  cloudevent: text("cloudevent").notNull(),
  storedAt: text("stored_at").notNull(),
  dispatchedAt: text("dispatched_at"),
  /** Events outbox (migration 0006, src/events/outbox.ts): when the sweep sends it; NULL once handed over. */
  outboxDueAt: integer("outbox_due_at"),
  /** The previous event of the same resource (0: none), NULL when stored before migration 0013. */
  prevSeq: integer("prev_seq"),
  /** The tenant's lane in the events queue (migration 0016, src/events/lanes.ts), NULL when stored before. */
  lane: text("lane"),
});
