//! Commands for connecting: Connect (token + test call) and the history.

use oauthdesk_core::Attempt;
use oauthdesk_core::ConnectResult;
use tauri::State;

use super::{Answer, Revealing, Shown};
use crate::error::AppError;
use crate::shown::Revealed;
use crate::AppState;

/// Gets a token (a new one with `force`) and calls the test URL.
#[tauri::command]
pub async fn profile_connect(state: State<'_, AppState>, handle: String, force: bool) -> Answer<ConnectResult> {
    // Cancel (profile_authorize_cancel) stops the wait: the request is dropped, nothing of it
    // is stored, and the profile's exchange lock is released with it.
    let result = state.desk.cancellable(&handle, state.desk.connect(&handle, force)).await;
    result.map(Shown).map_err(AppError::from)
}

/// What the Connection card shows on opening: the stored state, the token's facts and the
/// last failure explained; with `since` (an RFC 3339 time a result was shown from), whether
/// something newer has happened since.
#[tauri::command]
pub async fn profile_connection(
    state: State<'_, AppState>,
    handle: String,
    since: Option<String>,
) -> Answer<oauthdesk_core::ConnectionView> {
    let since = since.as_deref().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()).map(|t| t.with_timezone(&chrono::Utc));
    super::on_desk(&state, move |d| d.connection_view(&handle, since)).await
}

#[tauri::command]
pub async fn profile_history(state: State<'_, AppState>, handle: String) -> Answer<Vec<Attempt>> {
    super::on_desk(&state, move |d| d.history(&handle, 20)).await
}

/// How far Test all is.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct TestProgress {
    pub done: usize,
    pub total: usize,
}

/// For each Test all result shown, what has made it old since it was true (the core decides).
#[tauri::command]
pub async fn profiles_newer(state: State<'_, AppState>, shown: Vec<oauthdesk_core::Stamped>) -> Answer<Vec<Option<oauthdesk_core::Newer>>> {
    super::on_desk(&state, move |d| d.newer_of(&shown)).await
}

/// Tests the profiles named (all when empty), 8 at a time, reporting progress as events; a
/// long run is announced on the desktop when it ends.
#[tauri::command]
pub async fn profiles_test_all<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    handles: Vec<String>,
) -> Answer<oauthdesk_core::TestAll> {
    use tauri::Emitter as _;
    let on_done = |done, total| {
        let _ = app.emit(crate::events::TEST_PROGRESS, TestProgress { done, total });
    };
    let started = std::time::Instant::now();
    let result = state.desk.test_all(&handles, 8, on_done).await.map_err(AppError::from)?;
    if let Some(note) = crate::notify::test_all_done(&result, started.elapsed()) {
        crate::notify::show(&app, &note);
    }
    Ok(Shown(result))
}

/// The token view: the stored token described (its JWT header and claims, scopes granted
/// against asked), never the token itself.
#[tauri::command]
pub async fn profile_token_view(state: State<'_, AppState>, handle: String) -> Answer<Option<oauthdesk_core::TokenView>> {
    super::on_desk(&state, move |d| d.token_view(&handle)).await
}

/// The access token itself, to see or copy it, once the person said yes in a native dialog
/// the page cannot answer; `None` when they cancelled.
#[tauri::command]
pub async fn profile_token_reveal<R: tauri::Runtime>(app: tauri::AppHandle<R>, state: State<'_, AppState>, handle: String) -> Revealing {
    let question = format!(
        "Show the access token of '{handle}' in the window?\n\nAnyone who holds it can call the API as this connection until it expires."
    );
    if !crate::confirm::ask(&app, "Show the access token", &question, "Show the token").await {
        return Ok(None);
    }
    let token = super::on_desk(&state, move |d| d.token_reveal(&handle).map(|t| t.expose().to_string())).await?;
    Ok(Some(Revealed(token.0)))
}
