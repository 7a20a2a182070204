-- Schema 4: a profile's key and certificates. The private key (PKCS#8 PEM) is sealed like
-- the client secret; the certificate and the extra CA bundle are public and kept in clear.
CREATE TABLE credentials (
    profile_id     INTEGER PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
    key_sealed     BLOB,
    key_type       TEXT CHECK (key_type IN ('rsa', 'p256')),
    -- 1 when the key was sealed with a data key this store no longer has.
    key_lost       INTEGER NOT NULL DEFAULT 0 CHECK (key_lost IN (0, 1)),
    cert_pem       TEXT,
    -- The certificate's expiry, for the list's badge without reading every certificate.
    cert_not_after TEXT,
    ca_pem         TEXT
) STRICT;
