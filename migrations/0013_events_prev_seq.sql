-- Issue 10 point 4: each event names the previous event of its own resource (`prev_seq`, 0 for the
-- first), computed inside the insert through `events_resource_seq`. A subscription's object then sees
-- from the queue message alone that no event of its resource lies between two it was handed, and
-- reads nothing from D1 on the steady path (gap filling asks D1 only when there is a hole to fill).
-- Events stored before this migration keep NULL: unknown, so they are checked in D1 as before.
ALTER TABLE events ADD COLUMN prev_seq INTEGER;
