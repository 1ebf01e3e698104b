-- The console's list of an org's orders (GET /notifications/api/v1/list/orders): newest first,
-- paged by (created, id), read from this index alone rather than by scanning the org's orders.
CREATE INDEX notification_orders_creator_created ON notification_orders (creator, created, id);
