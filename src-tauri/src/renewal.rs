//! While the window is open, tokens are renewed before they expire: client-credentials
//! tokens have no refresh token, so renewal is a new exchange (authorization-code tokens are
//! refreshed). The window is told through the `connection-changed` event
//! (`events::CONNECTION_CHANGED`) so badges and countdowns stay true, and the desktop is
//! told once when a renewal fails (`notify`), since that token will expire unattended.

use std::sync::Arc;
use std::time::Duration;

use oauthdesk_core::Desk;
use oauthdesk_core::DEFAULT_MARGIN;
use tauri::{AppHandle, Emitter, Runtime};

use crate::{events, notify};

const EVERY: Duration = Duration::from_secs(20);

pub fn start<R: Runtime>(app: AppHandle<R>, desk: Arc<Desk>) {
    tauri::async_runtime::spawn(async move {
        let mut notes = notify::RenewalNotes::default();
        loop {
            tokio::time::sleep(EVERY).await;
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

/// Renews every token that would fall within the margin before the next round (`every`
/// from now); returns the handles it tried, each with its outcome (the error's message when
/// it failed).
pub async fn renew_due(desk: &Desk, every: Duration) -> Vec<(String, Result<(), String>)> {
    let within = DEFAULT_MARGIN + chrono::Duration::from_std(every).unwrap_or_default();
    let handles = match desk.expiring(within) {
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
