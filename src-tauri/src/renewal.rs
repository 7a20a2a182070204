//! While the window is open, tokens are renewed before they expire: client-credentials
//! tokens have no refresh token, so renewal is a new exchange (authorization-code tokens are
//! refreshed). The window is told through the `connection-changed` event
//! (`events::CONNECTION_CHANGED`) so badges and countdowns stay true.

use std::sync::Arc;
use std::time::Duration;

use oauthdesk_core::desk::DEFAULT_MARGIN;
use oauthdesk_core::Desk;
use tauri::{AppHandle, Emitter, Runtime};

use crate::events;

const EVERY: Duration = Duration::from_secs(20);

pub fn start<R: Runtime>(app: AppHandle<R>, desk: Arc<Desk>) {
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(EVERY).await;
            for handle in renew_due(&desk, EVERY).await {
                let _ = app.emit(events::CONNECTION_CHANGED, &handle);
            }
        }
    });
}

/// Renews every token that would fall within the margin before the next round (`every`
/// from now); returns the handles it tried.
pub async fn renew_due(desk: &Desk, every: Duration) -> Vec<String> {
    let within = DEFAULT_MARGIN + chrono::Duration::from_std(every).unwrap_or_default();
    let handles = match desk.expiring(within) {
        Ok(h) => h,
        Err(e) => {
            tracing::warn!(error = %e, "renewal: cannot read the store");
            return Vec::new();
        }
    };
    for handle in &handles {
        match desk.token(handle, true, DEFAULT_MARGIN).await {
            Ok(_) => tracing::info!(%handle, "renewal: new token"),
            Err(e) => tracing::warn!(%handle, error = %e, "renewal failed"),
        }
    }
    handles
}
