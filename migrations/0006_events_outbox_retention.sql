-- Issue 8 (events and pushes). The events outbox: an event stays in it until every matching
-- subscription's Durable Object holds it (SPEC §7.1). `outbox_due_at` (ms since the epoch) is when
-- the cron's sweep sends it (again) if the matcher has not confirmed it by then; NULL once confirmed.
ALTER TABLE events ADD COLUMN outbox_due_at INTEGER;
UPDATE events SET outbox_due_at = 0 WHERE dispatched_at IS NULL;
CREATE INDEX events_outbox ON events (outbox_due_at) WHERE outbox_due_at IS NOT NULL;
-- Retention (SPEC §7.2): the oldest events first, without scanning the table.
CREATE INDEX events_stored ON events (stored_at);

-- The matcher caches subscriptions per resource; a change to one resource's subscriptions bumps only
-- that resource's generation, so other tenants' cached entries stay (issue 7 point 7).
CREATE TABLE subscription_resource_generations (
  resource TEXT PRIMARY KEY,
  gen INTEGER NOT NULL
) WITHOUT ROWID;
