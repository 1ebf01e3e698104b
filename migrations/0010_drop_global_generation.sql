-- The matcher's cache generation is kept per resource since 0006 (subscription_resource_generations);
-- the single global counter is no longer read or written.
DROP TABLE IF EXISTS subscription_generation;
