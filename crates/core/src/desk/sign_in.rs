//! One sign-in for every grant that has one. The grant's capabilities pick the way: a
//! browser and the loopback redirect, or a device code and polling; the caller is told
//! which, to open the URL or show the code in its own words. Waits a person may give up on
//! (a sign-in, a Connect) are kept in one registry by profile, so any front end cancels them
//! the same way.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::oneshot;
use url::Url;

use super::tokens::Token;
use super::Desk;
use crate::error::{Error, Need, Result};
use crate::flows::device::DeviceStart;

/// What a sign-in asks its caller to show, once, before it waits.
#[derive(Debug, Clone, Copy)]
pub enum SignInStart<'a> {
    /// Open this authorization URL in a browser (the redirect comes back to this machine).
    Browser(&'a Url),
    /// Show these codes: the user approves on any device while the token endpoint is polled.
    Device(&'a DeviceStart),
}

/// The waits that may be cancelled, by profile handle. A newer wait for the same profile
/// cancels the older one, so at most one runs per profile.
#[derive(Default)]
pub(crate) struct Waits {
    next: AtomicU64,
    waiting: Mutex<HashMap<String, (u64, oneshot::Sender<()>)>>,
}

impl Waits {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, (u64, oneshot::Sender<()>)>> {
        // The map holds no invariant a panic could break half-way.
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Removes its own entry (not a newer one for the same profile) when the wait ends.
struct Registered<'a> {
    waits: &'a Waits,
    handle: &'a str,
    id: u64,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        let mut waiting = self.waits.lock();
        if waiting.get(self.handle).is_some_and(|(id, _)| *id == self.id) {
            waiting.remove(self.handle);
        }
    }
}

impl Desk {
    /// Signs the profile in the way its grant does (see [`crate::template::Flow::polls`]):
    /// `on_start` is told the URL to open or the code to show, then the sign-in waits (at
    /// most `timeout`, or until [`Desk::cancel`] names the profile) and the token is kept.
    #[tracing::instrument(skip(self, on_start), err(level = "info"))]
    pub async fn sign_in(&self, handle: &str, timeout: Duration, on_start: impl FnOnce(SignInStart<'_>)) -> Result<Token> {
        self.cancellable(handle, async {
            let flow = crate::template::find(&self.get(handle)?.template)?.flow;
            if !flow.signs_in() {
                return Err(Error::not_ready(handle, Need::NoSignIn, format!("'{handle}' uses client credentials: no sign-in is needed")));
            }
            if flow.polls() {
                self.authorize_device(handle, timeout, |s| on_start(SignInStart::Device(s))).await
            } else {
                self.authorize(handle, timeout, |u| on_start(SignInStart::Browser(u))).await
            }
        })
        .await
    }

    /// Runs `work` for the profile until it ends or [`Desk::cancel`] names the profile; a
    /// cancelled wait is dropped where it stands (nothing of it is stored) and ends in
    /// [`Error::Cancelled`].
    pub async fn cancellable<T>(&self, handle: &str, work: impl Future<Output = Result<T>>) -> Result<T> {
        let (tx, rx) = oneshot::channel::<()>();
        let id = self.waits.next.fetch_add(1, Ordering::Relaxed);
        if let Some((_, older)) = self.waits.lock().insert(handle.to_string(), (id, tx)) {
            let _ = older.send(());
        }
        let _registered = Registered { waits: &self.waits, handle, id };
        tokio::select! {
            result = work => result,
            _ = rx => Err(Error::Cancelled),
        }
    }

    /// Cancels the profile's waiting sign-in or Connect; whether one was waiting.
    pub fn cancel(&self, handle: &str) -> bool {
        match self.waits.lock().remove(handle) {
            Some((_, tx)) => tx.send(()).is_ok(),
            None => false,
        }
    }
}
