-- Schema 7: the key a profile signed with before a new one was made or imported, kept (sealed
-- like the key) until the new key has worked once or a person says its certificate is
-- uploaded, so a token request never fails because the provider does not know the new key yet.
ALTER TABLE credentials ADD COLUMN prev_key_sealed BLOB;
ALTER TABLE credentials ADD COLUMN prev_key_type TEXT CHECK (prev_key_type IN ('rsa', 'p256'));
ALTER TABLE credentials ADD COLUMN prev_cert_pem TEXT;
