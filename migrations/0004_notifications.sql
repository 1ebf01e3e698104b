-- Notification orders (SPEC §5): one row per accepted e-mail order. `recipients` is the normalised
-- recipient list as JSON; processing walks it in chunks, `next_recipient` is the persisted progress.
CREATE TABLE notification_orders (
  id TEXT PRIMARY KEY,
  creator TEXT NOT NULL,
  created TEXT NOT NULL,
  senders_reference TEXT,
  requested_send_time TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  content_type TEXT NOT NULL,
  from_address TEXT NOT NULL,
  recipients TEXT NOT NULL,
  recipient_count INTEGER NOT NULL,
  resource_id TEXT,
  ignore_reservation INTEGER NOT NULL DEFAULT 0,
  condition_endpoint TEXT,
  -- Registered | Processing | Completed | SendConditionNotMet | Cancelled
  status TEXT NOT NULL,
  last_update TEXT NOT NULL,
  -- Processing bookkeeping: who holds the order and until when, how far generation got.
  claim_token TEXT,
  lease_until TEXT,
  next_recipient INTEGER NOT NULL DEFAULT 0,
  condition_attempts INTEGER NOT NULL DEFAULT 0,
  -- Not before this time (a condition check found inconclusive is retried a minute later).
  not_before TEXT
);
-- The cron's claim: due registered orders, and processing ones whose lease ran out.
CREATE INDEX notification_orders_due ON notification_orders (status, requested_send_time);
CREATE INDEX notification_orders_lease ON notification_orders (status, lease_until) WHERE status = 'Processing';
CREATE INDEX notification_orders_ref ON notification_orders (creator, senders_reference);

-- One row per e-mail (or per recipient that could not get one). `dedup_key` makes addresses unique per order.
CREATE TABLE email_notifications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  email_address TEXT,
  organization_number TEXT,
  national_identity_number TEXT,
  is_reserved INTEGER,
  recipient_name TEXT NOT NULL DEFAULT '',
  recipient_number TEXT NOT NULL DEFAULT '',
  -- New | Sending | Succeeded | Delivered | Failed | Failed_RecipientReserved | Failed_RecipientNotIdentified
  -- | Failed_InvalidEmailFormat | Failed_Bounced | Failed_TTL
  status TEXT NOT NULL,
  last_update TEXT NOT NULL,
  -- Sending bookkeeping: earliest next attempt, when it was last handed to the queue, the send lease.
  due_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  enqueued_at TEXT,
  sending_until TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  provider_message_id TEXT,
  last_error TEXT,
  UNIQUE (order_id, dedup_key)
);
CREATE INDEX email_notifications_order ON email_notifications (order_id, seq);
CREATE INDEX email_notifications_provider_id ON email_notifications (provider_message_id) WHERE provider_message_id IS NOT NULL;
-- The cron's outbox sweep and TTL sweep look only at unfinished notifications.
CREATE INDEX email_notifications_pending ON email_notifications (status, due_at) WHERE status IN ('New', 'Sending');
