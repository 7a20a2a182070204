-- Schema 6: where a person confirmed each kind of endpoint may receive the profile's
-- credentials (JSON: {"token": ["https://host:port"], "revocation": [...], "resource":
-- ["host:port", "*.domain"], ...}). NULL for a profile from before schema 6: the desk fills it
-- in from token_origin/test_origin (which it no longer writes) when it opens the store.
ALTER TABLE profiles ADD COLUMN confirmed_origins TEXT;
