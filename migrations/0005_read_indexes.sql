-- Issue 7 §6: no unbounded work per request.
-- /app/party reads one party's app events across every app: by subject, in publish order, so the read
-- never scans other tenants' events nor sorts in a temporary B-tree. Also serves subject-filtered reads
-- of one resource (a user reading their own party's events of a large app).
CREATE INDEX IF NOT EXISTS events_subject_seq ON events (subject, seq) WHERE subject IS NOT NULL;
-- An `after` event id is looked up within the caller's resource: (id, resource) finds it directly even when
-- another tenant published many events with the same id under other sources.
CREATE INDEX IF NOT EXISTS events_id_resource ON events (id, resource);
