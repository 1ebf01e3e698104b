-- Issue 7 point 7: fairness across matcher batches. Each event names its tenant's lane (the org that
-- owns its resource; src/events/lanes.ts). At most EVENTS_LANE_WINDOW events of a lane are in the
-- events queue at a time; the rest wait in the outbox "held" (outbox_due_at = OUTBOX_HELD, a time
-- never reached) until the matcher confirms the lane's events and tops the lane up (src/events/outbox.ts).
-- Events stored before this migration have no lane: never held, sent as before.
ALTER TABLE events ADD COLUMN lane TEXT;
-- A lane's events in the outbox: counting those in the queue (outbox_due_at < OUTBOX_HELD), finding
-- and leasing its held ones oldest first (outbox_due_at = OUTBOX_HELD, then rowid = seq order), and
-- walking the lanes that hold events (the sweep's safety net).
CREATE INDEX events_lane_outbox ON events (lane, outbox_due_at) WHERE outbox_due_at IS NOT NULL;
