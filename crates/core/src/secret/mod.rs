//! Secrets (client secrets, tokens) never touch SQLite, logs or exports: they live in the OS
//! keyring, and in memory they are wrapped in types whose `Debug` and `Display` print
//! `[redacted]`, so a stray `{:?}` or `tracing` field cannot leak one: [`Secret`] for a
//! value as the keyring holds it, and one type per OAuth role in [`roles`].

use std::fmt;
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::time::Duration;

mod canonical;
pub mod redact;
pub mod roles;
pub mod seal;
pub mod source;
pub use roles::{AccessToken, Assertion, AuthorizationCode, ClientSecret, DeviceCode, PkceVerifier, PrivateKey, RefreshToken};

use crate::error::{Error, Result};

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

const KEYRING_HINT: &str = "OAuth Desk keeps the key that seals client secrets and tokens in the OS keyring. On Linux that is the \
Secret Service over D-Bus: run a keyring daemon in your desktop session (GNOME Keyring, e.g. \
`gnome-keyring-daemon --start --components=secrets`, or KeePassXC with Secret Service integration on), \
unlock it, and make sure DBUS_SESSION_BUS_ADDRESS is set. On macOS the Keychain and on Windows the \
Credential Manager are used.";

#[cfg(target_os = "linux")]
mod service;

/// How long one keyring call may take, answering an unlock prompt included, before it is
/// given up: a keyring daemon that restarts (or waits on a prompt no one can see) would
/// otherwise keep a command waiting for ever.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the keyring call `op` on a thread of its own and waits for it at most `limit`. A
/// call given up is left to finish by itself (the Secret Service's own timeouts end it);
/// the caller gets an error that says how long the keyring was given.
pub(crate) fn bounded<T: Send + 'static>(limit: Duration, op: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    let (tx, rx) = sync_channel(1);
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = tx.send(op());
        })
        .map_err(|e| Error::Internal(format!("cannot start a thread for the keyring: {e}")))?;
    match rx.recv_timeout(limit) {
        Ok(result) => result,
        Err(RecvTimeoutError::Timeout) => Err(Error::KeyringUnavailable {
            detail: format!("it did not answer within {} s", limit.as_secs_f64().ceil()),
            hint: KEYRING_HINT,
        }),
        Err(RecvTimeoutError::Disconnected) => Err(Error::Internal("the keyring call ended without an answer".into())),
    }
}

/// The OS keyring: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
/// Every call is given [`KEYRING_TIMEOUT`] (or [`Keyring::with_timeout`]) to answer.
#[derive(Debug, Clone)]
pub struct Keyring {
    #[cfg(target_os = "linux")]
    session: service::Session,
    #[cfg(not(target_os = "linux"))]
    service: String,
    limit: Duration,
}

impl Keyring {
    /// Secrets are filed under `service` (normally `oauthdesk`), one entry per key.
    pub fn new(service: impl Into<String>) -> Self {
        #[cfg(target_os = "linux")]
        return Keyring { session: service::Session::new(service.into(), KEYRING_TIMEOUT), limit: KEYRING_TIMEOUT };
        #[cfg(not(target_os = "linux"))]
        return Keyring { service: service.into(), limit: KEYRING_TIMEOUT };
    }

    /// The same keyring, giving each call `limit` (at least a second) to answer.
    pub fn with_timeout(mut self, limit: Duration) -> Self {
        self.limit = limit.max(Duration::from_secs(1));
        #[cfg(target_os = "linux")]
        self.session.set_prompt_limit(self.limit);
        self
    }

    /// How long each call is given.
    pub fn timeout(&self) -> Duration {
        self.limit
    }

    /// Starts connecting to the keyring in the background, for a caller that knows it will
    /// need a secret soon: on Linux the encrypted session's key exchange then overlaps with
    /// opening the store. Elsewhere there is nothing to prepare.
    pub fn prepare(&self) {
        #[cfg(target_os = "linux")]
        self.session.prepare();
    }

    #[cfg(not(target_os = "linux"))]
    fn entry(service: &str, key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(service, key).map_err(map_keyring_error)
    }

    /// Runs `op` on this keyring's platform session, within its time limit.
    #[cfg(target_os = "linux")]
    fn call<T: Send + 'static>(&self, op: impl FnOnce(&service::Session) -> Result<T> + Send + 'static) -> Result<T> {
        let session = self.session.clone();
        bounded(self.limit, move || op(&session))
    }

    /// Runs `op` on the entry under `key`, within this keyring's time limit.
    #[cfg(not(target_os = "linux"))]
    fn call<T: Send + 'static>(&self, key: &str, op: impl FnOnce(keyring::Entry) -> Result<T> + Send + 'static) -> Result<T> {
        let (service, key) = (self.service.clone(), key.to_string());
        bounded(self.limit, move || op(Keyring::entry(&service, &key)?))
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
        let key = key.to_string();
        self.call(move |s| s.get(&key))
    }

    #[tracing::instrument(skip(self, value), err(level = "info"))]
    fn set(&self, key: &str, value: &Secret) -> Result<()> {
        let (key, value) = (key.to_string(), value.clone());
        self.call(move |s| s.set(&key, &value))
    }

    #[tracing::instrument(skip(self), err(level = "info"))]
    fn delete(&self, key: &str) -> Result<()> {
        let key = key.to_string();
        self.call(move |s| s.delete(&key))
    }

    fn locate(&self, key: &str) -> Result<Option<String>> {
        let key = key.to_string();
        self.call(move |s| s.locate(&key))
    }

    #[tracing::instrument(skip(self), err(level = "info"))]
    fn get_at(&self, key: &str, place: &str) -> Result<Option<Secret>> {
        let (key, place) = (key.to_string(), place.to_string());
        self.call(move |s| s.get_at(&key, &place))
    }
}

#[cfg(not(target_os = "linux"))]
impl SecretStore for Keyring {
    #[tracing::instrument(skip(self), err(level = "info"))]
    fn get(&self, key: &str) -> Result<Option<Secret>> {
        self.call(key, |entry| match entry.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        })
    }

    #[tracing::instrument(skip(self, value), err(level = "info"))]
    fn set(&self, key: &str, value: &Secret) -> Result<()> {
        let value = value.clone();
        self.call(key, move |entry| entry.set_password(value.expose()).map_err(map_keyring_error))
    }

    #[tracing::instrument(skip(self), err(level = "info"))]
    fn delete(&self, key: &str) -> Result<()> {
        self.call(key, |entry| match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        })
    }
}

/// An in-process secret store: what it holds (the store's data key above all) lives in this
/// process's memory only and is gone when the process ends. A run that must leave nothing
/// behind and may have no keyring at all (a team's health checked in CI, in a container
/// without a desktop session) opens its throwaway store with it; the tests of the
/// bookkeeping around secrets use it too.
#[derive(Default)]
pub struct MemorySecrets(std::sync::Mutex<std::collections::HashMap<String, String>>);

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

/// Its values are wiped from memory with it.
impl Drop for MemorySecrets {
    fn drop(&mut self) {
        let map = self.0.get_mut().unwrap_or_else(|p| p.into_inner());
        for value in map.values_mut() {
            zeroize::Zeroize::zeroize(value);
        }
    }
}

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

    /// A keyring call that never answers ends in an error naming the wait; one that answers
    /// in time gives its answer, whatever the limit.
    #[test]
    fn a_keyring_call_is_given_up_after_its_limit() {
        for limit_ms in [50u64, 300, 1000] {
            let limit = Duration::from_millis(limit_ms);
            let started = std::time::Instant::now();
            let hung = bounded(limit, || -> Result<()> {
                std::thread::sleep(Duration::from_secs(3600));
                Ok(())
            });
            let waited = started.elapsed();
            assert!(waited >= limit && waited < limit + Duration::from_millis(500), "{waited:?}");
            let Err(e @ Error::KeyringUnavailable { .. }) = hung else { panic!("{hung:?}") };
            assert!(e.to_string().contains(&format!("did not answer within {} s", limit.as_secs_f64().ceil())), "{e}");
            assert_eq!(bounded(limit, || Ok(7)).ok(), Some(7));
        }
    }
}
