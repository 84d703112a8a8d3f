-- OpenPGP decryption keys (issue 6). The private key is only stored sealed
-- (AES-256-GCM under the server secret, with a per-key nonce).
CREATE TABLE pgp_keys (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    sealed      BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (account_id, fingerprint)
);
CREATE INDEX pgp_keys_account ON pgp_keys(account_id, created_at);
