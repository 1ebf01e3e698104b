-- Issue 8 (orders and e-mail): reasons on orders and e-mails, a failure count per order, indexes that
-- the sweeps, the fair feeder and retention read through, and replayed provider webhooks remembered.

-- Why an order or an e-mail ended as it did, when the stock description does not say (a misconfigured
-- e-mail provider, an order whose generation kept failing). Shown as the status description.
ALTER TABLE notification_orders ADD COLUMN status_reason TEXT;
ALTER TABLE notification_orders ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE email_notifications ADD COLUMN status_reason TEXT;

-- Retention: final orders by the time they became final.
CREATE INDEX notification_orders_final ON notification_orders (status, last_update)
  WHERE status IN ('Completed', 'SendConditionNotMet', 'Cancelled');
-- The fair feeder: an order's e-mails waiting to be handed to the queue (enqueued_at NULL, in seq order)
-- and those in the queue now.
CREATE INDEX email_notifications_order_new ON email_notifications (order_id, enqueued_at) WHERE status = 'New';
CREATE INDEX email_notifications_order_sending ON email_notifications (order_id) WHERE status = 'Sending';
-- The sweeps, one index per question (an OR of two statuses cannot use a partial index).
CREATE INDEX email_notifications_new_enqueued ON email_notifications (enqueued_at) WHERE status = 'New';
CREATE INDEX email_notifications_new_expiry ON email_notifications (expires_at) WHERE status = 'New';
CREATE INDEX email_notifications_sending_lease ON email_notifications (sending_until) WHERE status = 'Sending';

-- Provider webhooks already handled, by their delivery id (svix-id / webhook-id): a replay is answered
-- without being applied twice. Kept for a week.
CREATE TABLE email_webhook_receipts (
  id TEXT PRIMARY KEY,
  received_at TEXT NOT NULL
);
CREATE INDEX email_webhook_receipts_time ON email_webhook_receipts (received_at);
