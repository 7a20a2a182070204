-- Schema 2: what OAuth Desk knows about each profile's token (never the token itself, which
-- lives in the OS keyring under `secret_ref`), and the history of every attempt.
CREATE TABLE tokens (
    profile_id    INTEGER PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
    secret_ref    TEXT NOT NULL,
    obtained_at   TEXT NOT NULL,
    expires_at    TEXT,
    expiry_source TEXT NOT NULL
) STRICT;

CREATE TABLE attempts (
    id                INTEGER PRIMARY KEY,
    profile_id        INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    at                TEXT NOT NULL,
    stage             TEXT NOT NULL,
    ok                INTEGER NOT NULL,
    status            INTEGER,
    elapsed_ms        INTEGER NOT NULL,
    error             TEXT,
    error_description TEXT
) STRICT;

CREATE INDEX attempts_by_profile ON attempts (profile_id, id DESC);
