-- The current order API (SPEC §5.5): every shipment (a chain's main order, each reminder) is a row of
-- notification_orders (notification_channel = 'Future'), so the fair processor, the outboxes, the SMS
-- pipeline, retention and cancel serve it. Idempotency keys and the status feed have tables of their own.
ALTER TABLE notification_orders ADD COLUMN shipment_type TEXT; -- Notification | Reminder | Instant
ALTER TABLE notification_orders ADD COLUMN chain_id TEXT;
ALTER TABLE notification_orders ADD COLUMN channel_schema TEXT; -- Email | Sms | EmailPreferred | SmsPreferred | EmailAndSms
ALTER TABLE notification_orders ADD COLUMN sms_body TEXT;
ALTER TABLE notification_orders ADD COLUMN sms_policy TEXT; -- Anytime | Daytime
ALTER TABLE notification_orders ADD COLUMN dialogporten TEXT; -- {dialogId, transmissionId} as JSON

-- One answer per (creator, kind, idempotencyId): the UNIQUE key, not a read, decides who was first.
-- kind: 'Notification' (POST /future/orders) or 'Instant' (SMS and e-mail share it, as in Altinn).
CREATE TABLE future_idempotency (
  creator TEXT NOT NULL,
  kind TEXT NOT NULL,
  idempotency_id TEXT NOT NULL,
  created TEXT NOT NULL,
  -- The first answer (JSON); NULL while an instant send is in flight.
  response TEXT,
  PRIMARY KEY (creator, kind, idempotency_id)
);
CREATE INDEX future_idempotency_created ON future_idempotency (created);

-- The status feed: one entry per shipment that reached a final state (Completed, SendConditionNotMet),
-- written by the trigger below in the same statement that made it final, with its recipients' statuses.
CREATE TABLE future_status_feed (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  shipment_id TEXT NOT NULL UNIQUE,
  creator TEXT NOT NULL,
  created TEXT NOT NULL,
  entry TEXT NOT NULL
);
CREATE INDEX future_status_feed_creator ON future_status_feed (creator, seq);
CREATE INDEX future_status_feed_created ON future_status_feed (created);

CREATE TRIGGER future_status_feed_on_final
AFTER UPDATE OF status ON notification_orders
WHEN NEW.notification_channel = 'Future' AND NEW.status IN ('Completed', 'SendConditionNotMet')
  AND OLD.status NOT IN ('Completed', 'SendConditionNotMet')
BEGIN
  INSERT OR IGNORE INTO future_status_feed (shipment_id, creator, created, entry)
  SELECT NEW.id, NEW.creator, NEW.last_update, json_object(
    'shipmentId', NEW.id,
    'sendersReference', NEW.senders_reference,
    'shipmentType', NEW.shipment_type,
    'status', 'Order_' || NEW.status,
    'lastUpdate', NEW.last_update,
    'recipients', CASE WHEN NEW.status = 'SendConditionNotMet' THEN json_array() ELSE json((
      SELECT coalesce(json_group_array(json_object('destination', d, 'status', s, 'lastUpdate', u)), '[]') FROM (
        SELECT coalesce(email_address, '') AS d,
               'Email_' || CASE status WHEN 'Failed_InvalidEmailFormat' THEN 'Failed_InvalidFormat' ELSE status END AS s,
               last_update AS u, seq AS o, 0 AS c
          FROM email_notifications WHERE order_id = NEW.id
        UNION ALL
        SELECT coalesce(mobile_number, ''), 'SMS_' || status, last_update, seq, 1
          FROM sms_notifications WHERE order_id = NEW.id
        ORDER BY c, o))) END);
END;
