//! Commands for team folders: the window's side of `oauthdesk team sync`. The page never
//! names a folder: a profile's own folder is the one stored with it, and a first sync's is
//! chosen in the system's folder dialog, opened here.

use std::path::PathBuf;

use oauthdesk_core::{ProfileChanges, SyncOptions, SyncOutcome, SyncReport};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use super::{on_desk, Answer, Shown};
use crate::error::AppError;
use crate::AppState;

/// Syncs the team folder the profile `handle` comes from, or, with no handle, a folder the
/// person chooses in the system's dialog (`None` when they cancel it). A profile whose
/// endpoints the folder moves is synced only after the person confirms it in a native
/// dialog that lists each move; otherwise the report says it waits.
#[tauri::command]
pub async fn team_sync<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, handle: Option<String>) -> Answer<Option<SyncReport>> {
    let dir: PathBuf = match handle {
        Some(h) => {
            let profile = on_desk(&state, move |d| d.get(&h)).await?.0;
            let Some(team) = profile.team else {
                return Err(
                    oauthdesk_core::Error::invalid("handle", format!("'{}' does not come from a team folder", profile.handle)).into()
                );
            };
            PathBuf::from(team.dir)
        }
        None => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            app.dialog().file().set_title("Sync a team folder").pick_folder(move |chosen| {
                let _ = tx.send(chosen);
            });
            let Some(chosen) = rx.await.ok().flatten() else { return Ok(Shown(None)) };
            chosen.into_path().map_err(|e| AppError::Internal(format!("the folder dialog gave no path: {e}")))?
        }
    };
    let first = dir.clone();
    let report = on_desk(&state, move |d| d.team_sync(&first, SyncOptions::default())).await?.0;
    let moves: Vec<String> = report
        .entries
        .iter()
        .filter(|e| e.outcome == SyncOutcome::NeedsConfirmation)
        .map(|e| format!("• {}: {}", e.handle, e.why))
        .collect();
    if moves.is_empty() {
        return Ok(Shown(Some(report)));
    }
    let question = format!(
        "The team folder moves where these profiles send credentials:\n\n{}\n\nConfirm only if your team made or expected this change.",
        moves.join("\n")
    );
    if !crate::confirm::ask(&app, "Confirm where credentials go", &question, "Confirm").await {
        return Ok(Shown(Some(report)));
    }
    on_desk(&state, move |d| d.team_sync(&dir, SyncOptions { confirm_moved: true }).map(Some)).await
}

/// Saves an edit of a profile, as `profile_update` does, and says where its team file was
/// written when it comes from a team folder.
#[tauri::command]
pub async fn profile_edit(state: State<'_, AppState>, handle: String, changes: ProfileChanges) -> Answer<oauthdesk_core::Edited> {
    on_desk(&state, move |d| d.edit(&handle, changes)).await
}
