-- Issue 9: the SMS queue carries one gateway session (up to 100 SMS of one order) per message, and an
-- order has at most a small window of them in the queue (src/sms/feed.ts). This index answers, per
-- order, both "how many of its SMS are handed over or being sent" and "which wait to be handed over",
-- without reading the order's final rows; it also serves the order's completion check.
CREATE INDEX sms_notifications_order_pending ON sms_notifications (order_id, status, enqueued_at)
  WHERE status IN ('New', 'Sending');
