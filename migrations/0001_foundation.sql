-- Resource registry (SPEC §3): owner and grants per resource id (the part after urn:altinn:resource:).
CREATE TABLE resources (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  title TEXT NOT NULL,
  grants TEXT NOT NULL DEFAULT '[]',
  updated_at TEXT NOT NULL
);

-- Events in publish order. `seq` is the position the read cursor names; (source, id) makes publishing idempotent.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  source TEXT NOT NULL,
  resource TEXT NOT NULL,
  type TEXT NOT NULL,
  subject TEXT,
  alternativesubject TEXT,
  time TEXT NOT NULL,
  cloudevent TEXT NOT NULL,
  stored_at TEXT NOT NULL,
  -- Outbox: NULL until the event was handed to the delivery queue; the cron re-sends stragglers.
  dispatched_at TEXT,
  UNIQUE (source, id)
);
CREATE INDEX events_resource_seq ON events (resource, seq);
CREATE INDEX events_id ON events (id);
CREATE INDEX events_undispatched ON events (seq) WHERE dispatched_at IS NULL;
