-- What several nodes share (and a single node keeps here too). Times are
-- unix milliseconds.

-- SSH host keys (OpenSSH PEM private keys) by name, e.g. ssh_host_ed25519_key.
CREATE TABLE host_keys (
    name       TEXT PRIMARY KEY,
    pem        BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

-- Failed logins within the ban window, and running bans.
CREATE TABLE login_failures (
    ip TEXT    NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_ip ON login_failures(ip, at);
CREATE INDEX login_failures_at ON login_failures(at);
CREATE TABLE login_bans (
    ip    TEXT PRIMARY KEY,
    until INTEGER NOT NULL
);

-- Bytes of uploads in progress on some node, counted against the quota.
-- AUTOINCREMENT: an id is never reused, so a node growing a reservation that
-- expired meanwhile can never touch another's.
CREATE TABLE upload_reservations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    bytes      INTEGER NOT NULL,
    node       TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX upload_reservations_account ON upload_reservations(account_id, expires_at);
CREATE INDEX upload_reservations_node ON upload_reservations(node);
