//! The Secret Service (GNOME Keyring, KWallet, KeePassXC) on Linux.
//!
//! The `keyring` crate opens a new D-Bus connection and session for every read and two for
//! every write, and a `token --force` needs three operations; here a process opens one
//! session, lazily or ahead of time ([`Session::prepare`]), and keeps it. A session that has
//! gone stale (the daemon restarted while the window was open) is reopened, and a daemon
//! that went away during a call (crashed, restarting) is waited for briefly. Items carry
//! the attributes `keyring` uses (`service`, `username`, `target`), so entries written by
//! either are read by both.
//!
//! Secrets cross the bus in the Secret Service's `plain` transfer mode. The session bus is a
//! local socket only this user's processes reach, and any process that could watch it could
//! as well ask the Secret Service for the secret itself: the optional `dh-ietf1024` transfer
//! encryption protects nothing more here, and its key exchange with the daemon costs 8–12 ms
//! per process, more than the OAuth exchange itself (see README, Speed). At rest, secrets are
//! encrypted by the keyring as before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dbus_secret_service::{EncryptionType, Error as SsError, Item, Path, SecretService};

use super::{Secret, KEYRING_HINT};
use crate::error::{Error, Result};

/// The collection `keyring` names `default`: the user's login keyring.
const TARGET: &str = "default";

/// A shared, lazily opened Secret Service session for one `service` name.
#[derive(Clone)]
pub(super) struct Session {
    service: String,
    open: Arc<Mutex<Option<SecretService>>>,
    /// How long an unlock prompt is waited for before it is dismissed: a call the caller
    /// gave up on (see `super::bounded`) then ends too, instead of waiting on it for ever.
    prompt_secs: u64,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("service", &self.service).finish_non_exhaustive()
    }
}

impl Session {
    pub(super) fn new(service: String, limit: Duration) -> Self {
        Session { service, open: Arc::new(Mutex::new(None)), prompt_secs: limit.as_secs().max(1) }
    }

    pub(super) fn set_prompt_limit(&mut self, limit: Duration) {
        self.prompt_secs = limit.as_secs().max(1);
    }

    fn connect(&self) -> std::result::Result<SecretService, SsError> {
        SecretService::connect_with_max_prompt_timeout(EncryptionType::Plain, self.prompt_secs)
    }

    /// Opens the session on a background thread, so connecting overlaps with the caller's
    /// other work (opening the store, building the request). Errors are left for the first
    /// real use to report.
    pub(super) fn prepare(&self) {
        let this = self.clone();
        std::thread::spawn(move || {
            let _ = this.with(|_| Ok(()));
        });
    }

    pub(super) fn get(&self, key: &str) -> Result<Option<Secret>> {
        self.with(|ss| {
            let Some(item) = self.find(ss, key)? else { return Ok(None) };
            let bytes = item.get_secret()?;
            let text = String::from_utf8(bytes).map_err(|_| SsError::Path(format!("the keyring item '{key}' does not hold text")))?;
            Ok(Some(Secret::new(text)))
        })
    }

    pub(super) fn set(&self, key: &str, value: &Secret) -> Result<()> {
        self.with(|ss| {
            if let Some(item) = self.find(ss, key)? {
                return item.set_secret(value.expose().as_bytes(), "text/plain");
            }
            let collection = ss.get_default_collection()?;
            collection.ensure_unlocked()?;
            let mut attributes = self.attributes(key);
            attributes.insert("application", "oauthdesk");
            let label = format!("OAuth Desk: {key}");
            collection.create_item(&label, attributes, value.expose().as_bytes(), true, "text/plain")?;
            Ok(())
        })
    }

    /// The D-Bus path of the item under `key`, so that a later read needs no search (GNOME
    /// Keyring searches every item: about 3 µs each, 3 ms in a keyring of a thousand).
    pub(super) fn locate(&self, key: &str) -> Result<Option<String>> {
        self.with(|ss| Ok(self.find(ss, key)?.map(|item| item.path.to_string())))
    }

    /// The secret of the item at `path` when that item is still the one under `key`; else
    /// (gone, replaced, locked, not ours) the item found by a search. Two round trips when
    /// the place is right, where a search takes longer the more items the keyring holds.
    pub(super) fn get_at(&self, key: &str, path: &str) -> Result<Option<Secret>> {
        let direct = self.with(|ss| {
            let Ok(path) = Path::new(path.to_string()) else { return Ok(None) };
            let item = Item::new(ss, path);
            // A locked or vanished item fails here; the search below unlocks or finds none.
            let Ok(bytes) = item.get_secret() else { return Ok(None) };
            let Ok(attributes) = item.get_attributes() else { return Ok(None) };
            let ours = attributes.get("service") == Some(&self.service) && attributes.get("username").map(String::as_str) == Some(key);
            Ok(if ours { String::from_utf8(bytes).ok().map(Secret::new) } else { None })
        });
        match direct {
            Ok(Some(secret)) => Ok(Some(secret)),
            _ => self.get(key),
        }
    }

    /// Removes every item under `key`; none at all is not an error.
    pub(super) fn delete(&self, key: &str) -> Result<()> {
        self.with(|ss| {
            let found = ss.search_items(self.attributes(key))?;
            for item in found.unlocked.iter().chain(found.locked.iter()) {
                item.delete()?;
            }
            Ok(())
        })
    }

    fn attributes<'a>(&'a self, key: &'a str) -> HashMap<&'a str, &'a str> {
        HashMap::from([("service", self.service.as_str()), ("username", key), ("target", TARGET)])
    }

    /// The one item under `key`, unlocked. Two items under one key would make a read
    /// ambiguous, so that is refused rather than guessed.
    fn find<'s>(&self, ss: &'s SecretService, key: &str) -> std::result::Result<Option<Item<'s>>, SsError> {
        let found = ss.search_items(self.attributes(key))?;
        let mut items = found.unlocked.into_iter().chain(found.locked);
        let Some(item) = items.next() else { return Ok(None) };
        if items.next().is_some() {
            return Err(SsError::Path(format!("several keyring items match '{key}'; remove the extra ones in your keyring manager")));
        }
        item.ensure_unlocked()?;
        Ok(Some(item))
    }

    /// Runs `op` on the open session, opening it first if needed.
    ///
    /// A D-Bus failure on a session that was already open may only mean the daemon went
    /// away since: the session is dropped and `op` is tried again on a fresh one. A daemon
    /// that goes away during the call (it crashed, or is restarting) is waited for a little
    /// and tried again too, at most [`RETRY_WAITS`] times, all within the caller's time
    /// limit (`super::bounded`). No Secret Service at all is reported at once.
    fn with<T>(&self, op: impl Fn(&SecretService) -> std::result::Result<T, SsError>) -> Result<T> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let mut reused = open.is_some();
        let mut waits = RETRY_WAITS.iter();
        loop {
            let ss = match open.take() {
                Some(ss) => ss,
                None => match self.connect() {
                    Ok(ss) => ss,
                    Err(err) => match waits.next() {
                        Some(wait) if went_away(&err, Phase::Connect) => {
                            std::thread::sleep(*wait);
                            continue;
                        }
                        _ => return Err(map_error(err)),
                    },
                },
            };
            match op(&ss) {
                Err(err) if (reused && matches!(err, SsError::Dbus(_))) || went_away(&err, Phase::Call) => {
                    drop(ss);
                    let Some(wait) = waits.next() else { return Err(map_error(err)) };
                    // A stale session is reopened at once; a daemon that just went away is
                    // given a moment to come back.
                    if !reused {
                        std::thread::sleep(*wait);
                    }
                    reused = false;
                }
                result => {
                    *open = Some(ss);
                    return result.map_err(map_error);
                }
            }
        }
    }
}

/// How long to wait before each new try when the daemon went away during a call: about a
/// second in all, time for a crashed daemon to be started again (by D-Bus activation or
/// the session's supervisor).
const RETRY_WAITS: [Duration; 4] =
    [Duration::from_millis(50), Duration::from_millis(150), Duration::from_millis(300), Duration::from_millis(500)];

#[derive(Clone, Copy, PartialEq)]
enum Phase {
    Connect,
    Call,
}

/// Whether `err` says the Secret Service went away (crashed, restarting) rather than that
/// there is none or that it refused. Opening a session fails with `ServiceUnknown` when no
/// Secret Service is installed, which is no reason to wait; during a call the same name
/// means the daemon that answered a moment ago is gone.
fn went_away(err: &SsError, phase: Phase) -> bool {
    let SsError::Dbus(err) = err else { return false };
    match err.name().unwrap_or_default() {
        "org.freedesktop.DBus.Error.NoReply" | "org.freedesktop.DBus.Error.Disconnected" => true,
        "org.freedesktop.DBus.Error.ServiceUnknown"
        | "org.freedesktop.DBus.Error.NameHasNoOwner"
        | "org.freedesktop.DBus.Error.UnknownObject"
        | "org.freedesktop.DBus.Error.UnknownMethod"
        | "org.freedesktop.Secret.Error.NoSession" => phase == Phase::Call,
        _ => false,
    }
}

fn map_error(err: SsError) -> Error {
    match err {
        SsError::Unavailable | SsError::Dbus(_) | SsError::Locked | SsError::Prompt => {
            Error::KeyringUnavailable { detail: err.to_string(), hint: KEYRING_HINT }
        }
        SsError::Path(detail) => Error::Keyring(detail),
        other => Error::Keyring(other.to_string()),
    }
}
