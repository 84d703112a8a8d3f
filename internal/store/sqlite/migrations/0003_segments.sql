-- Saved segments (filters kept under a name). Times are unix milliseconds.
CREATE TABLE segments (
    id         INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    filter     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX segments_account_name ON segments(account_id, name);
