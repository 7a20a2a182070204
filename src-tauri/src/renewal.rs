//! While the window is open, tokens are renewed before they expire: client-credentials
//! tokens have no refresh token, so renewal is a new exchange (authorization-code tokens are
//! refreshed). The window is told through the `connection-changed` event
//! (`events::CONNECTION_CHANGED`) so badges and countdowns stay true, and the desktop is
//! told once when a renewal fails (`notify`), since that token will expire unattended.
//! While the agent runs for the same store it is the one that renews (see [`crate::agent`]):
//! the window's rounds then leave the renewals to it, so one process refreshes each token.

use std::sync::Arc;
use std::time::Duration;

use oauthdesk_core::Desk;
use oauthdesk_core::DEFAULT_MARGIN;
use tauri::{AppHandle, Emitter, Runtime};

use crate::{events, notify};

/// How often a round runs (the window's and the agent's): what is due is decided by the
/// core's rule ([`Desk::renewal_due`]).
pub const EVERY: Duration = Duration::from_secs(20);

pub fn start<R: Runtime>(app: AppHandle<R>, desk: Arc<Desk>) {
    tauri::async_runtime::spawn(async move {
        let mut notes = notify::RenewalNotes::default();
        loop {
            tokio::time::sleep(EVERY).await;
            if agent_renews(&desk) {
                continue;
            }
            for (handle, outcome) in renew_due(&desk, EVERY).await {
                let _ = app.emit(events::CONNECTION_CHANGED, &handle);
                let label = desk.get(&handle).map(|p| p.label).unwrap_or_else(|_| handle.clone());
                if let Some(note) = notes.after(&handle, &label, outcome) {
                    notify::show(&app, &note);
                }
            }
        }
    });
}

/// Whether an agent answers for the desk's store (so it, not the window, renews).
#[cfg(unix)]
fn agent_renews(desk: &Desk) -> bool {
    let Some(data_dir) = desk.store_path().parent() else { return false };
    crate::agent::client::Client::for_store(data_dir).status().is_ok()
}

#[cfg(not(unix))]
fn agent_renews(_: &Desk) -> bool {
    false
}

/// Renews every token that would fall within the margin before the next round (`every`
/// from now); returns the handles it tried, each with its outcome (the error's message when
/// it failed).
pub async fn renew_due(desk: &Desk, every: Duration) -> Vec<(String, Result<(), String>)> {
    let handles = match desk.renewal_due(every) {
        Ok(h) => h,
        Err(e) => {
            tracing::warn!(error = %e, "renewal: cannot read the store");
            return Vec::new();
        }
    };
    let mut outcomes = Vec::with_capacity(handles.len());
    for handle in handles {
        let outcome = match desk.token(&handle, true, DEFAULT_MARGIN).await {
            Ok(_) => {
                tracing::info!(%handle, "renewal: new token");
                Ok(())
            }
            Err(e) => {
                tracing::warn!(%handle, error = %e, "renewal failed");
                // Said as every failure is: the cause and the fix, the provider's words apart.
                Err(notify::failure_text(&desk.failure_of(&handle, &e, chrono::Utc::now())))
            }
        };
        outcomes.push((handle, outcome));
    }
    outcomes
}
