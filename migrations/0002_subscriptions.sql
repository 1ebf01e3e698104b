-- Subscriptions (SPEC §4.4). Every subscription has a resource_filter (an app subscription given only a
-- sourceFilter gets its app's resource), so the matcher looks candidates up by resource, never scanning all.
CREATE TABLE subscriptions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  end_point TEXT NOT NULL,
  source_filter TEXT,
  resource_filter TEXT NOT NULL,
  subject_filter TEXT,
  alternative_subject_filter TEXT,
  type_filter TEXT,
  consumer TEXT NOT NULL,
  -- The consumer's party (users), so the own-party rule can be re-checked at push time.
  consumer_party TEXT,
  created_by TEXT NOT NULL,
  created TEXT NOT NULL,
  validated INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  disabled_reason TEXT,
  secret TEXT NOT NULL
);
CREATE INDEX subscriptions_resource ON subscriptions (resource_filter) WHERE disabled = 0;
CREATE INDEX subscriptions_consumer ON subscriptions (consumer, id);

-- Bumped on every create, delete and disable: matchers compare it to drop their per-isolate cache.
CREATE TABLE subscription_generation (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  gen INTEGER NOT NULL
);
INSERT INTO subscription_generation (id, gen) VALUES (1, 0);
