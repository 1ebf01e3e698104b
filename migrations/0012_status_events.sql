-- Issue 9 (status as events, SPEC §5.6). Every final order status and every notification status worth
-- an event (e-mail Succeeded, SMS Accepted, Delivered, Failed*) owes one CloudEvent. Triggers record
-- the debt in the same statement that changes the status, whichever code path (v1, /future/, sweeps,
-- webhooks, delivery reports) made the change, so nothing is lost between the change and the publish.
-- src/notifications/status-events.ts turns the rows into events (stored with the events outbox,
-- idempotent on (source, id)) and deletes them in one batch; `due_at` (ms) is its lease.
CREATE TABLE status_event_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  -- email | sms | shipment
  kind TEXT NOT NULL,
  row_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  status TEXT NOT NULL,
  last_update TEXT NOT NULL,
  destination TEXT,
  due_at INTEGER NOT NULL DEFAULT 0,
  UNIQUE (kind, row_id, status)
);
CREATE INDEX status_event_outbox_due ON status_event_outbox (due_at);

CREATE TRIGGER email_status_event_update AFTER UPDATE OF status ON email_notifications
WHEN NEW.status IS NOT OLD.status AND (NEW.status IN ('Succeeded', 'Delivered') OR NEW.status LIKE 'Failed%')
BEGIN
  INSERT OR IGNORE INTO status_event_outbox (kind, row_id, order_id, status, last_update, destination)
  VALUES ('email', NEW.id, NEW.order_id, NEW.status, NEW.last_update, NEW.email_address);
END;

CREATE TRIGGER email_status_event_insert AFTER INSERT ON email_notifications
WHEN NEW.status IN ('Succeeded', 'Delivered') OR NEW.status LIKE 'Failed%'
BEGIN
  INSERT OR IGNORE INTO status_event_outbox (kind, row_id, order_id, status, last_update, destination)
  VALUES ('email', NEW.id, NEW.order_id, NEW.status, NEW.last_update, NEW.email_address);
END;

CREATE TRIGGER sms_status_event_update AFTER UPDATE OF status ON sms_notifications
WHEN NEW.status IS NOT OLD.status AND (NEW.status IN ('Accepted', 'Delivered') OR NEW.status LIKE 'Failed%')
BEGIN
  INSERT OR IGNORE INTO status_event_outbox (kind, row_id, order_id, status, last_update, destination)
  VALUES ('sms', NEW.id, NEW.order_id, NEW.status, NEW.last_update, NEW.mobile_number);
END;

CREATE TRIGGER sms_status_event_insert AFTER INSERT ON sms_notifications
WHEN NEW.status IN ('Accepted', 'Delivered') OR NEW.status LIKE 'Failed%'
BEGIN
  INSERT OR IGNORE INTO status_event_outbox (kind, row_id, order_id, status, last_update, destination)
  VALUES ('sms', NEW.id, NEW.order_id, NEW.status, NEW.last_update, NEW.mobile_number);
END;

CREATE TRIGGER order_status_event_update AFTER UPDATE OF status ON notification_orders
WHEN NEW.status IS NOT OLD.status AND NEW.status IN ('Completed', 'SendConditionNotMet', 'Cancelled')
BEGIN
  INSERT OR IGNORE INTO status_event_outbox (kind, row_id, order_id, status, last_update)
  VALUES ('shipment', NEW.id, NEW.id, NEW.status, NEW.last_update);
END;

CREATE TRIGGER order_status_event_insert AFTER INSERT ON notification_orders
WHEN NEW.status IN ('Completed', 'SendConditionNotMet', 'Cancelled')
BEGIN
  INSERT OR IGNORE INTO status_event_outbox (kind, row_id, order_id, status, last_update)
  VALUES ('shipment', NEW.id, NEW.id, NEW.status, NEW.last_update);
END;
