//! How a client authenticates: vocabulary the templates' grants and the protocol code share.

/// How the client proves itself to the token endpoint (and revocation, introspection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names, reason = "the variants are named as RFC 8705 and RFC 7523 name the methods")]
pub enum ClientAuth {
    /// `client_secret_basic`: HTTP Basic with the form-encoded ID and secret.
    Basic,
    /// `client_secret_post`: `client_id` and `client_secret` in the body.
    Post,
    /// `private_key_jwt`: a client assertion signed with the profile's key (RFC 7523 §2.2).
    PrivateKeyJwt,
    /// `client_secret_jwt`: a client assertion signed with the secret (HS256).
    ClientSecretJwt,
    /// `tls_client_auth` / `self_signed_tls_client_auth` (RFC 8705): the profile's
    /// certificate in the TLS handshake, `client_id` in the body.
    TlsClientAuth,
    SelfSignedTlsClientAuth,
    /// No client authentication (a public client, or a grant that carries its own proof).
    None,
}

impl ClientAuth {
    /// The values of the `client_auth` field, as OAuth names them.
    pub const NAMES: [(&'static str, ClientAuth); 7] = [
        ("basic", ClientAuth::Basic),
        ("post", ClientAuth::Post),
        ("private_key_jwt", ClientAuth::PrivateKeyJwt),
        ("client_secret_jwt", ClientAuth::ClientSecretJwt),
        ("tls_client_auth", ClientAuth::TlsClientAuth),
        ("self_signed_tls_client_auth", ClientAuth::SelfSignedTlsClientAuth),
        ("none", ClientAuth::None),
    ];

    /// Whether the profile's key (and certificate) goes into the TLS handshake.
    pub fn uses_tls(self) -> bool {
        matches!(self, ClientAuth::TlsClientAuth | ClientAuth::SelfSignedTlsClientAuth)
    }

    /// Whether the client proves itself with the profile's key.
    pub fn uses_key(self) -> bool {
        self.uses_tls() || self == ClientAuth::PrivateKeyJwt
    }

    /// Whether the client proves itself with its secret, so a request without one is refused.
    pub fn uses_secret(self) -> bool {
        matches!(self, ClientAuth::Basic | ClientAuth::Post | ClientAuth::ClientSecretJwt)
    }
}
