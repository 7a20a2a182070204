-- OAuth Desk store, schema 1: profiles. Secrets are never stored here: `secret_ref` names
-- the OS keyring entry that holds the client secret, when one is set.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Namespaces this store's keyring entries, so two stores never share a secret.
INSERT INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))));

CREATE TABLE profiles (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    handle     TEXT NOT NULL UNIQUE,
    label      TEXT NOT NULL,
    template   TEXT NOT NULL,
    fields     TEXT NOT NULL CHECK (json_valid(fields)),
    secret_ref TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TRIGGER profiles_handle_is_immutable
BEFORE UPDATE OF handle ON profiles
WHEN NEW.handle IS NOT OLD.handle
BEGIN
    SELECT RAISE(ABORT, 'a profile handle cannot change');
END;
