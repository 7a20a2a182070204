-- Schema 3: client secrets and tokens are sealed in this file (XChaCha20-Poly1305 under the
-- store's one data key); the OS keyring holds only that key, named by meta 'key_id'.
-- `secret_ref` columns stay for stores written by schema 2: they name keyring items still to
-- be moved in, and are cleared once each is sealed here and removed from the keyring.
ALTER TABLE profiles ADD COLUMN client_secret BLOB;
-- 1 when the profile had a secret that can no longer be read (its key is gone): it must be
-- entered again.
ALTER TABLE profiles ADD COLUMN secret_lost INTEGER NOT NULL DEFAULT 0 CHECK (secret_lost IN (0, 1));

CREATE TABLE tokens_v3 (
    profile_id    INTEGER PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
    secret_ref    TEXT,
    sealed        BLOB,
    obtained_at   TEXT NOT NULL,
    expires_at    TEXT,
    expiry_source TEXT NOT NULL
) STRICT;
INSERT INTO tokens_v3 (profile_id, secret_ref, obtained_at, expires_at, expiry_source)
    SELECT profile_id, secret_ref, obtained_at, expires_at, expiry_source FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_v3 RENAME TO tokens;

-- Finding what is still in the keyring must not scan every profile on every open.
CREATE INDEX profiles_in_keyring ON profiles (id) WHERE secret_ref IS NOT NULL;
CREATE INDEX tokens_in_keyring ON tokens (profile_id) WHERE secret_ref IS NOT NULL;

-- The origins (scheme, host, port) the client secret and the bearer token were entrusted
-- to: the token URL's when the secret was set, the test URL's when it was set. A change of
-- either is not followed with a credential until the user confirms it. NULL: not bound yet
-- (bound on first use).
ALTER TABLE profiles ADD COLUMN token_origin TEXT;
ALTER TABLE profiles ADD COLUMN test_origin TEXT;
