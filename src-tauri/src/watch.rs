//! What another process does to the store (the command line connecting, editing, removing)
//! shows in the open window within a second: the store's version (SQLite's `data_version`,
//! which moves only for other processes' commits) is read every second, and a change is told
//! to the page through the `store-changed` event (`events::STORE_CHANGED`), which reads the
//! list and the open profile again. The window's own changes already refresh what they touch.

use std::sync::Arc;
use std::time::Duration;

use oauthdesk_core::Desk;
use tauri::{AppHandle, Emitter, Runtime};

use crate::events;

const EVERY: Duration = Duration::from_secs(1);

pub fn start<R: Runtime>(app: AppHandle<R>, desk: Arc<Desk>) {
    tauri::async_runtime::spawn(async move {
        // The first reading is taken now, before the page reads the list, so a change made in
        // between is not taken for the state the page started from.
        let mut last = version(&desk).await;
        loop {
            tokio::time::sleep(EVERY).await;
            let now = version(&desk).await;
            if last.is_some() && now.is_some() && now != last {
                let _ = app.emit(events::STORE_CHANGED, ());
            }
            last = now.or(last);
        }
    });
}

/// The store's version, read off the async threads (a long write may hold the store's lock).
async fn version(desk: &Arc<Desk>) -> Option<i64> {
    let desk = desk.clone();
    match tauri::async_runtime::spawn_blocking(move || desk.store_version()).await {
        Ok(Ok(version)) => Some(version),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "cannot read the store's version");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "the store's version check stopped");
            None
        }
    }
}
