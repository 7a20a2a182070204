-- Schema 8: what ranking the causes of a failed refresh needs, for each token or refresh
-- request from this version on: whether it was a refresh or a sign-in, a one-way fingerprint
-- of the refresh token it presented and of the one it received (never the tokens), the client
-- and the signed-in user where the answer names one, and the proxy or network path taken.
CREATE TABLE grant_facts (
    id             INTEGER PRIMARY KEY,
    profile_id     INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
    at             TEXT NOT NULL,
    ok             INTEGER NOT NULL,
    refresh        INTEGER NOT NULL,
    sign_in        INTEGER NOT NULL,
    presented_fp   TEXT,
    received_fp    TEXT,
    client_id      TEXT NOT NULL,
    subject        TEXT,
    path           TEXT NOT NULL
) STRICT;

CREATE INDEX grant_facts_by_profile ON grant_facts (profile_id, id DESC);
CREATE INDEX grant_facts_by_user ON grant_facts (client_id, subject);
