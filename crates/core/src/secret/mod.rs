//! Secrets (client secrets, tokens) never touch SQLite, logs or exports: they live in the OS
//! keyring, and in memory they are wrapped in types whose `Debug` and `Display` print
//! `[redacted]`, so a stray `{:?}` or `tracing` field cannot leak one: [`Secret`] for a
//! value as the keyring holds it, and one type per OAuth role in [`roles`].

use std::fmt;

pub mod redact;
pub mod roles;
pub mod seal;
pub use roles::{AccessToken, Assertion, AuthorizationCode, ClientSecret, DeviceCode, PkceVerifier, PrivateKey, RefreshToken};

#[cfg(not(target_os = "linux"))]
use crate::error::Error;
use crate::error::Result;

/// A secret value. Read it with [`Secret::expose`], deliberately.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value is known to the redactor from now on ([`redact::register`]).
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        redact::register(&value);
        Secret(value)
    }

    /// The secret itself, for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Wiped from memory when dropped.
impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Where secrets are kept. The app uses [`Keyring`]; the trait exists so the store's
/// bookkeeping can be unit-tested without a desktop session.
pub trait SecretStore: Send + Sync {
    /// The secret under `key`, or `None` when there is none.
    fn get(&self, key: &str) -> Result<Option<Secret>>;
    fn set(&self, key: &str, value: &Secret) -> Result<()>;
    /// Removes the secret; removing one that is not there is not an error.
    fn delete(&self, key: &str) -> Result<()>;

    /// Where the item under `key` lives, when the store can read it faster from there than
    /// by its key (the Secret Service: the item's D-Bus path); `None` when it cannot.
    fn locate(&self, _key: &str) -> Result<Option<String>> {
        Ok(None)
    }

    /// The secret under `key`, read at `place` (from [`SecretStore::locate`]) when that is
    /// still its item, else by its key.
    fn get_at(&self, key: &str, _place: &str) -> Result<Option<Secret>> {
        self.get(key)
    }
}

const KEYRING_HINT: &str = "OAuth Desk keeps client secrets and tokens in the OS keyring. On Linux that is the \
Secret Service over D-Bus: run a keyring daemon in your desktop session (GNOME Keyring, e.g. \
`gnome-keyring-daemon --start --components=secrets`, or KeePassXC with Secret Service integration on), \
unlock it, and make sure DBUS_SESSION_BUS_ADDRESS is set. On macOS the Keychain and on Windows the \
Credential Manager are used.";

#[cfg(target_os = "linux")]
mod service;

/// The OS keyring: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
#[derive(Debug, Clone)]
pub struct Keyring {
    #[cfg(target_os = "linux")]
    session: service::Session,
    #[cfg(not(target_os = "linux"))]
    service: String,
}

impl Keyring {
    /// Secrets are filed under `service` (normally `oauthdesk`), one entry per key.
    pub fn new(service: impl Into<String>) -> Self {
        #[cfg(target_os = "linux")]
        return Keyring { session: service::Session::new(service.into()) };
        #[cfg(not(target_os = "linux"))]
        return Keyring { service: service.into() };
    }

    /// Starts connecting to the keyring in the background, for a caller that knows it will
    /// need a secret soon: on Linux the encrypted session's key exchange then overlaps with
    /// opening the store. Elsewhere there is nothing to prepare.
    pub fn prepare(&self) {
        #[cfg(target_os = "linux")]
        self.session.prepare();
    }

    #[cfg(not(target_os = "linux"))]
    fn entry(&self, key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, key).map_err(map_keyring_error)
    }
}

impl Default for Keyring {
    fn default() -> Self {
        Keyring::new("oauthdesk")
    }
}

#[cfg(not(target_os = "linux"))]
fn map_keyring_error(err: keyring::Error) -> Error {
    match err {
        keyring::Error::PlatformFailure(e) => Error::KeyringUnavailable { detail: e.to_string(), hint: KEYRING_HINT },
        keyring::Error::NoStorageAccess(e) => Error::KeyringUnavailable { detail: e.to_string(), hint: KEYRING_HINT },
        other => Error::Keyring(other.to_string()),
    }
}

#[cfg(target_os = "linux")]
impl SecretStore for Keyring {
    #[tracing::instrument(skip(self), err(level = "info"))]
    fn get(&self, key: &str) -> Result<Option<Secret>> {
        self.session.get(key)
    }

    #[tracing::instrument(skip(self, value), err(level = "info"))]
    fn set(&self, key: &str, value: &Secret) -> Result<()> {
        self.session.set(key, value)
    }

    #[tracing::instrument(skip(self), err(level = "info"))]
    fn delete(&self, key: &str) -> Result<()> {
        self.session.delete(key)
    }

    fn locate(&self, key: &str) -> Result<Option<String>> {
        self.session.locate(key)
    }

    #[tracing::instrument(skip(self), err(level = "info"))]
    fn get_at(&self, key: &str, place: &str) -> Result<Option<Secret>> {
        self.session.get_at(key, place)
    }
}

#[cfg(not(target_os = "linux"))]
impl SecretStore for Keyring {
    #[tracing::instrument(skip(self), err(level = "info"))]
    fn get(&self, key: &str) -> Result<Option<Secret>> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    #[tracing::instrument(skip(self, value), err(level = "info"))]
    fn set(&self, key: &str, value: &Secret) -> Result<()> {
        self.entry(key)?.set_password(value.expose()).map_err(map_keyring_error)
    }

    #[tracing::instrument(skip(self), err(level = "info"))]
    fn delete(&self, key: &str) -> Result<()> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }
}

/// An in-process secret store, for tests of the bookkeeping around secrets (this crate's,
/// and other crates' with the `test-support` feature). Never used by the app.
#[cfg(any(test, feature = "test-support"))]
#[derive(Default)]
pub struct MemorySecrets(std::sync::Mutex<std::collections::HashMap<String, String>>);

#[cfg(any(test, feature = "test-support"))]
impl MemorySecrets {
    fn map(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, String>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many values it holds.
    pub fn len(&self) -> usize {
        self.map().len()
    }

    pub fn is_empty(&self) -> bool {
        self.map().is_empty()
    }
}

#[cfg(any(test, feature = "test-support"))]
impl SecretStore for MemorySecrets {
    fn get(&self, key: &str) -> Result<Option<Secret>> {
        Ok(self.map().get(key).cloned().map(Secret::new))
    }
    fn set(&self, key: &str, value: &Secret) -> Result<()> {
        self.map().insert(key.to_string(), value.expose().to_string());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.map().remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some([redacted])");
        assert_eq!(s.expose(), "hunter2-very-secret");
    }
}
