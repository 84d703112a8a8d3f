-- Notifications: webhook endpoints, the one chosen for import notifications,
-- and deliveries (one per channel per outbox item) with their attempt log.
-- (Numbered after 0003: the runner applies only versions above the highest
-- applied, so a database already at 3 would never get a 0002.)
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX webhooks_account ON webhooks(account_id, id);

-- At most one row per account: the webhook that receives import notifications.
CREATE TABLE notification_webhooks (
    account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE
);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    outbox_id       INTEGER NOT NULL,
    account_id      TEXT NOT NULL,
    import_id       INTEGER NOT NULL,
    milestone       TEXT NOT NULL,
    channel         TEXT NOT NULL,          -- email | webhook
    webhook_id      INTEGER REFERENCES webhooks(id) ON DELETE CASCADE, -- NULL for email
    target          TEXT NOT NULL,          -- mail address or URL
    idempotency_id  TEXT NOT NULL UNIQUE,
    payload         BLOB NOT NULL,
    status          TEXT NOT NULL,          -- pending | delivered | failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    UNIQUE (outbox_id, channel)
);
CREATE INDEX deliveries_due ON deliveries(next_attempt_at, id) WHERE status = 'pending';
-- Each target's pending deliveries go out one at a time, oldest first.
CREATE INDEX deliveries_queue ON deliveries(channel, target, id) WHERE status = 'pending';
CREATE INDEX deliveries_webhook ON deliveries(webhook_id, id);

CREATE TABLE delivery_attempts (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts(delivery_id, id);
