//! One type per role a secret plays in OAuth: a client secret, an authorization code, a PKCE
//! verifier, a refresh token, an access token, a private key, a signed assertion. Each prints `[redacted]` under `Debug` and
//! `Display`, none implements `Serialize`, and none converts into another, so two of them
//! cannot be swapped in a call, logged by a stray `{:?}`, or written out by accident; each is
//! wiped from memory when dropped.
//!
//! oauth2 has types of these names, but they derive `Serialize`; these do not.

use std::fmt;

macro_rules! secret_role {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// The value is known to the redactor from now on, so no text that leaves
            /// the process can hold it ([`super::redact::register`]).
            pub fn new(value: impl Into<String>) -> Self {
                let value = value.into();
                super::redact::register(&value);
                $name(value)
            }

            /// The value itself, for the one place that must send or store it.
            pub fn expose(&self) -> &str {
                &self.0
            }

            #[allow(dead_code, reason = "every role has it; not every role is asked")]
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        /// Wiped from memory when dropped.
        impl Drop for $name {
            fn drop(&mut self) {
                zeroize::Zeroize::zeroize(&mut self.0);
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }
    };
}

secret_role!(
    /// A confidential client's secret (`client_secret`).
    ClientSecret
);
secret_role!(
    /// The one-time code the provider sends to the redirect URI.
    AuthorizationCode
);
secret_role!(
    /// The PKCE `code_verifier` (RFC 7636).
    PkceVerifier
);
secret_role!(
    /// A refresh token (RFC 6749 §6).
    RefreshToken
);
secret_role!(
    /// An access token: what the API receives as a bearer credential.
    AccessToken
);
secret_role!(
    /// A private key, as PKCS#8 PEM: signs client assertions and JWT bearer grants, and
    /// proves the client in mutual TLS.
    PrivateKey
);
secret_role!(
    /// The device code of a device authorization (RFC 8628): what the client polls with.
    DeviceCode
);
secret_role!(
    /// A signed assertion (a JWT) sent as `client_assertion` or a JWT bearer grant.
    Assertion
);

/// Client secrets arrive from the window as plain strings; they are never serialized back.
impl<'de> serde::Deserialize<'de> for ClientSecret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d).map(ClientSecret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_is_redacted_in_debug_and_display() {
        let values = [
            format!("{:?} {}", ClientSecret::new("cs-value"), ClientSecret::new("cs-value")),
            format!("{:?} {}", AuthorizationCode::new("code-value"), AuthorizationCode::new("code-value")),
            format!("{:?} {}", PkceVerifier::new("verifier-value"), PkceVerifier::new("verifier-value")),
            format!("{:?} {}", RefreshToken::new("rt-value"), RefreshToken::new("rt-value")),
            format!("{:?} {}", AccessToken::new("at-value"), AccessToken::new("at-value")),
        ];
        for v in values {
            assert_eq!(v, "[redacted] [redacted]");
        }
        assert_eq!(format!("{:?}", Some(RefreshToken::new("x"))), "Some([redacted])");
        assert_eq!(AccessToken::new("at").expose(), "at");
    }
}
