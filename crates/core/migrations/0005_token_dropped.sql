-- Schema 5: why a profile has no token although it had one — signed out (revoked) or its
-- settings changed — so the badge says that, not "never tried". Cleared when a token is stored.
ALTER TABLE profiles ADD COLUMN token_dropped TEXT CHECK (token_dropped IN ('signed_out', 'settings_changed'));
