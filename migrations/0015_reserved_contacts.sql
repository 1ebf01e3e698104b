-- SPEC §5.3: a reserved person's address or number (sent to only because the order ignores the
-- reservation) is held only until the notification is final, then scrubbed by the cron; views never
-- show it. SMS rows learn whether their recipient is reserved; partial indexes find what is still held.
ALTER TABLE sms_notifications ADD COLUMN is_reserved INTEGER;
CREATE INDEX email_notifications_reserved_held ON email_notifications (seq)
  WHERE is_reserved = 1 AND email_address IS NOT NULL;
CREATE INDEX sms_notifications_reserved_held ON sms_notifications (seq)
  WHERE is_reserved = 1 AND mobile_number IS NOT NULL;
-- The cron tops up the least recently fed Processing orders first (fair rotation past its per-tick limit).
ALTER TABLE notification_orders ADD COLUMN last_fed_at TEXT;
CREATE INDEX notification_orders_feed_rotation ON notification_orders (last_fed_at) WHERE status = 'Processing';
