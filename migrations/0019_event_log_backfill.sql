-- The partitioned event log (docs/event-log.md): the backfill's high-water mark in the D1 `events`
-- table, and whether the new log serves publishes and reads yet (when EVENT_LOG = "objects"). A
-- database with no events has nothing to copy and starts done.
CREATE TABLE event_log_backfill (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  mark INTEGER NOT NULL,
  done INTEGER NOT NULL,
  updated_at TEXT
);
INSERT INTO event_log_backfill (id, mark, done)
SELECT 1, 0, CASE WHEN EXISTS (SELECT 1 FROM events) THEN 0 ELSE 1 END;
