-- Changes of a profile import to stored profiles, kept as operations
-- (record.AppendOps) until they are folded into their profiles in profile
-- order (see profile_ops.go). Rows are appended in seq order; a fold reads
-- a range of seq. No index: one on (account_id, seq) cost 0.7 µs a row.
CREATE TABLE profile_ops (
    seq        INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL,
    profile_id INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    ops        BLOB NOT NULL
);

-- The last kept operation of each account that has some.
CREATE TABLE profile_ops_kept (
    account_id TEXT PRIMARY KEY,
    last_seq   INTEGER NOT NULL
) WITHOUT ROWID;

-- A fold in progress: the account's operations with seq <= upto_seq on
-- profiles with id <= done_profile are in their profiles.
CREATE TABLE profile_folds (
    account_id   TEXT PRIMARY KEY,
    upto_seq     INTEGER NOT NULL,
    done_profile INTEGER NOT NULL
) WITHOUT ROWID;
