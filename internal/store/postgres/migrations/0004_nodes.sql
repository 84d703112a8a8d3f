-- What several nodes share besides the job queue. Times are unix milliseconds.

-- SSH host keys (OpenSSH PEM private keys) by name, e.g. ssh_host_ed25519_key.
CREATE TABLE host_keys (
    name       text PRIMARY KEY,
    pem        bytea NOT NULL,
    created_at bigint NOT NULL
);

-- Failed logins within the ban window, and running bans.
CREATE TABLE login_failures (
    ip text   NOT NULL,
    at bigint NOT NULL
);
CREATE INDEX login_failures_ip ON login_failures(ip, at);
CREATE INDEX login_failures_at ON login_failures(at);
CREATE TABLE login_bans (
    ip    text PRIMARY KEY,
    until bigint NOT NULL
);

-- Bytes of uploads in progress on some node, counted against the quota.
-- Identity ids are never reused, so a node growing a reservation that
-- expired meanwhile can never touch another's.
CREATE TABLE upload_reservations (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id text   NOT NULL,
    name       text   NOT NULL,
    kind       text   NOT NULL,
    bytes      bigint NOT NULL,
    node       text   NOT NULL,
    expires_at bigint NOT NULL
);
CREATE INDEX upload_reservations_account ON upload_reservations(account_id, expires_at);
CREATE INDEX upload_reservations_node ON upload_reservations(node);
