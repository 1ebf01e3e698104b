-- SMS (SPEC §5.3, §5.4, §5.7): v1 SMS orders live in notification_orders beside e-mail orders (one
-- id space for read, status, list and cancel), told apart by notification_channel; their SMS in
-- sms_notifications. Contact register: organisations' official mobiles and users' own mobile.
ALTER TABLE notification_orders ADD COLUMN notification_channel TEXT NOT NULL DEFAULT 'Email';
ALTER TABLE notification_orders ADD COLUMN sender_number TEXT;

ALTER TABLE contact_organizations ADD COLUMN mobiles TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contact_org_users ADD COLUMN mobile TEXT;

-- One row per SMS (or per recipient that could not get one). `dedup_key` makes numbers unique per order.
-- A reserved person's number is never stored: mobile_number stays NULL on Failed_RecipientReserved.
CREATE TABLE sms_notifications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  mobile_number TEXT,
  organization_number TEXT,
  national_identity_number TEXT,
  recipient_name TEXT NOT NULL DEFAULT '',
  recipient_number TEXT NOT NULL DEFAULT '',
  -- New | Sending | Accepted | Delivered | Failed | Failed_* (the fourteen SMS statuses)
  status TEXT NOT NULL,
  last_update TEXT NOT NULL,
  -- Not before this time (the Daytime window, retries); not after expires_at (TTL).
  due_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  enqueued_at TEXT,
  sending_until TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  gateway_reference TEXT,
  last_error TEXT,
  UNIQUE (order_id, dedup_key)
);
CREATE INDEX sms_notifications_order ON sms_notifications (order_id, seq);
CREATE INDEX sms_notifications_reference ON sms_notifications (gateway_reference) WHERE gateway_reference IS NOT NULL;
CREATE INDEX sms_notifications_pending ON sms_notifications (status, due_at) WHERE status IN ('New', 'Sending');
CREATE INDEX sms_notifications_accepted ON sms_notifications (status, expires_at) WHERE status = 'Accepted';
