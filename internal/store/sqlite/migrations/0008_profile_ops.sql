-- Changes of a profile import to stored profiles, kept as operations
-- (record.AppendOps) until they are folded into their profiles in profile
-- order (see profile_ops.go). Rows arrive in seq order, so both the table
-- and its index are appended to.
CREATE TABLE profile_ops (
    seq        INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL,
    profile_id INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    ops        BLOB NOT NULL
);
CREATE INDEX profile_ops_account ON profile_ops(account_id, seq);

-- A fold in progress: the account's operations with seq <= upto_seq on
-- profiles with id <= done_profile are in their profiles.
CREATE TABLE profile_folds (
    account_id   TEXT PRIMARY KEY,
    upto_seq     INTEGER NOT NULL,
    done_profile INTEGER NOT NULL
) WITHOUT ROWID;
