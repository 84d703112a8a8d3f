-- Times are unix milliseconds unless a column says otherwise.
CREATE TABLE accounts (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    time_zone  TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE tokens (
    hash       BLOB PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);

CREATE TABLE import_keys (
    id           INTEGER PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    public_key   TEXT NOT NULL,
    fingerprint  TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX import_keys_account ON import_keys(account_id);

CREATE TABLE uploads (
    id         INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    blob_key   TEXT NOT NULL,
    state      TEXT NOT NULL,
    import_id  INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    state_at   INTEGER NOT NULL
);
-- A manifest name is used once per account, ever.
CREATE UNIQUE INDEX uploads_manifest_name ON uploads(account_id, name) WHERE kind = 'manifest';
CREATE INDEX uploads_account_name ON uploads(account_id, name, state);
CREATE INDEX uploads_state ON uploads(state, state_at);

CREATE TABLE imports (
    id                 INTEGER PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    manifest_name      TEXT NOT NULL,
    manifest_upload_id INTEGER NOT NULL UNIQUE,
    file_name          TEXT NOT NULL,
    data_upload_id     INTEGER NOT NULL DEFAULT 0,
    type               TEXT NOT NULL,
    status             TEXT NOT NULL,
    size_bytes         INTEGER NOT NULL DEFAULT 0,
    error              TEXT NOT NULL DEFAULT '',
    client_email       TEXT NOT NULL DEFAULT '',
    manifest           BLOB NOT NULL,
    received_at        INTEGER NOT NULL,
    started_at         INTEGER,
    finished_at        INTEGER,
    bytes_read         INTEGER NOT NULL DEFAULT 0,
    rows_read          INTEGER NOT NULL DEFAULT 0,
    rows_imported      INTEGER NOT NULL DEFAULT 0,
    rows_failed        INTEGER NOT NULL DEFAULT 0,
    error_bytes        INTEGER NOT NULL DEFAULT 0,
    error_header       BLOB NOT NULL DEFAULT x'',
    attempts           INTEGER NOT NULL DEFAULT 0,
    lease_owner        TEXT NOT NULL DEFAULT '',
    lease_until        INTEGER NOT NULL DEFAULT 0,
    mailed_at          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX imports_account ON imports(account_id, id);
CREATE INDEX imports_open ON imports(account_id, manifest_upload_id) WHERE status IN ('waiting', 'queued', 'processing');
CREATE INDEX imports_status ON imports(status, manifest_upload_id);

-- The refused rows of each import: the error file's lines after the header.
CREATE TABLE import_errors (
    import_id INTEGER NOT NULL,
    row       INTEGER NOT NULL,
    line      BLOB NOT NULL,
    PRIMARY KEY (import_id, row)
) WITHOUT ROWID;

CREATE TABLE profiles (
    id         INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL,
    props      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX profiles_account ON profiles(account_id, id);

CREATE TABLE identifiers (
    account_id TEXT NOT NULL,
    value      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    profile_id INTEGER NOT NULL,
    PRIMARY KEY (account_id, value, kind)
) WITHOUT ROWID;
CREATE INDEX identifiers_profile ON identifiers(profile_id);

-- ts is epoch seconds.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    account_id  TEXT NOT NULL,
    profile_id  INTEGER NOT NULL,
    import_id   INTEGER NOT NULL,
    row         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    ts          INTEGER NOT NULL,
    identifiers TEXT NOT NULL,
    props       TEXT NOT NULL
);
CREATE INDEX events_name_ts ON events(account_id, name, ts);
CREATE INDEX events_profile ON events(profile_id, ts);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL,
    import_id  INTEGER NOT NULL,
    milestone  TEXT NOT NULL,
    mail       INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    done_at    INTEGER
);
CREATE INDEX outbox_pending ON outbox(id) WHERE done_at IS NULL;
