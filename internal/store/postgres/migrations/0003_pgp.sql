-- OpenPGP decryption keys (issue 6). The private key is only stored sealed
-- (AES-256-GCM under the server secret, with a per-key nonce). seq orders
-- keys added within the same millisecond, as SQLite's rowid does.
CREATE TABLE pgp_keys (
    id          text COLLATE "C" PRIMARY KEY,
    seq         bigint GENERATED ALWAYS AS IDENTITY,
    account_id  text COLLATE "C" NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name        text NOT NULL,
    kind        text NOT NULL,
    fingerprint text COLLATE "C" NOT NULL,
    public_key  text NOT NULL,
    sealed      bytea NOT NULL,
    created_at  bigint NOT NULL,
    UNIQUE (account_id, fingerprint)
);
CREATE INDEX pgp_keys_account ON pgp_keys(account_id, created_at, seq);
