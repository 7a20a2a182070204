//! Commands for templates and profiles: the GUI's side of `oauthdesk templates|list|show|add|
//! edit|remove|export|import`.

use std::path::PathBuf;

use oauthdesk_core::FieldProblem;
use oauthdesk_core::RekeyOutcome;
use oauthdesk_core::{ExportFile, NewProfile, Profile, ProfileChanges, ProfileSummary, Template};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use super::{on_desk, Answer, Shown};
use crate::error::AppError;
use crate::AppState;

// Not async, but run off the main thread (`async` here): the window asks for these as it
// starts, while the main thread is busy making it, and a command on the main thread waits.
#[tauri::command(async)]
pub fn templates() -> Shown<Vec<Template>> {
    Shown(oauthdesk_core::templates().to_vec())
}

#[tauri::command]
pub async fn profiles_list(state: State<'_, AppState>) -> Answer<Vec<ProfileSummary>> {
    on_desk(&state, |d| d.summaries()).await
}

#[tauri::command]
pub async fn profile_get(state: State<'_, AppState>, handle: String) -> Answer<Profile> {
    on_desk(&state, move |d| d.get(&handle)).await
}

/// Every problem of a profile about to be created or saved, each for its field.
#[tauri::command]
pub async fn profile_check(state: State<'_, AppState>, profile: NewProfile, editing: bool) -> Answer<Vec<FieldProblem>> {
    on_desk(&state, move |d| {
        let stored = editing && d.get(&profile.handle).is_ok_and(|p| p.client_secret == oauthdesk_core::SecretState::Set);
        Ok(oauthdesk_core::field_problems(&profile, editing, stored))
    })
    .await
}

#[tauri::command]
pub async fn profile_create(state: State<'_, AppState>, profile: NewProfile) -> Answer<Profile> {
    on_desk(&state, move |d| d.create(profile)).await
}

#[tauri::command]
pub async fn profile_update(state: State<'_, AppState>, handle: String, changes: ProfileChanges) -> Answer<Profile> {
    on_desk(&state, move |d| d.edit(&handle, changes).map(|e| e.profile)).await
}

/// Confirms where the profile's credentials may go now, after a person said so in a native
/// dialog that lists each new destination: the page can ask, only the person can answer.
/// Returns the profile as it is afterwards (unchanged when the person cancelled).
#[tauri::command]
pub async fn profile_confirm_origins<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, handle: String) -> Answer<Profile> {
    let h = handle.clone();
    let changes = on_desk(&state, move |d| d.origin_changes(&h)).await?.0;
    if !changes.is_empty() {
        let list: Vec<String> = changes.iter().map(|c| format!("• {}", c.describe())).collect();
        let question = format!(
            "Send the credentials of '{handle}' to these new places?\n\n{}\n\nConfirm only if you made or expected this change.",
            list.join("\n")
        );
        if crate::confirm::ask(&app, "Confirm where credentials go", &question, "Confirm").await {
            let h = handle.clone();
            on_desk(&state, move |d| d.confirm_origins(&h, Some(&changes))).await?;
        }
    }
    on_desk(&state, move |d| d.get(&handle)).await
}

#[tauri::command]
pub async fn profile_remove(state: State<'_, AppState>, handle: String) -> Answer<()> {
    on_desk(&state, move |d| d.remove(&handle)).await
}

/// The export document for `handles` (all when empty), without secrets.
#[tauri::command]
pub async fn profiles_export(state: State<'_, AppState>, handles: Vec<String>) -> Answer<ExportFile> {
    on_desk(&state, move |d| d.export(&handles)).await
}

/// Where an export was saved.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct ExportSaved {
    pub count: usize,
    pub path: String,
}

/// Asks where to save an export with the system's Save dialog, opened here, and writes it
/// there; `None` when the dialog was cancelled. The page never names a path: a script in
/// the page can make the window save an export, but only where the person chooses.
#[tauri::command]
pub async fn profiles_export_save<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    handles: Vec<String>,
) -> Answer<Option<ExportSaved>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Export profiles (no secrets)")
        .set_file_name("oauthdesk-profiles.json")
        .add_filter("OAuth Desk export (JSON)", &["json"])
        .save_file(move |chosen| {
            let _ = tx.send(chosen);
        });
    let Some(chosen) = rx.await.ok().flatten() else { return Ok(Shown(None)) };
    let path: PathBuf = chosen.into_path().map_err(|e| AppError::Internal(format!("the Save dialog gave no file path: {e}")))?;
    on_desk(&state, move |d| {
        let file = d.export(&handles)?;
        oauthdesk_core::write_file(&path, &file.to_json()?)?;
        Ok(Some(ExportSaved { count: file.profiles.len(), path: path.display().to_string() }))
    })
    .await
}

/// Imports an export document given as JSON text; returns the new handles.
#[tauri::command]
pub async fn profiles_import(state: State<'_, AppState>, json: String) -> Answer<Vec<String>> {
    on_desk(&state, move |d| d.import(ExportFile::parse(&json)?)).await
}

/// Makes a new data key and seals every secret and token again under it. When the keyring
/// lacks the store's key, starting over with a new one (which drops every value sealed
/// under the lost key) is asked in a native dialog, shown here: the page can ask for a
/// rekey, but only the person can agree to lose what the lost key sealed.
#[tauri::command]
pub async fn store_rekey<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Answer<RekeyOutcome> {
    let missing = match on_desk(&state, |d| d.rekey()).await {
        Err(e @ AppError::Core(oauthdesk_core::Error::KeyMissing { .. })) => e,
        other => return other,
    };
    let question = format!(
        "{missing}.

If the keyring item can be put back, do that instead: then every secret and token opens again.

\
         Starting over makes a new key and drops every client secret, token and private key sealed under the lost one, \
         for good. The profiles stay; their secrets and keys are entered again."
    );
    if crate::confirm::ask(&app, "Start over with a new data key?", &question, "Start over").await {
        on_desk(&state, |d| d.start_over()).await
    } else {
        Err(missing)
    }
}

/// What the window shows in its footer.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub store_path: String,
}

#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> Shown<AppInfo> {
    Shown(AppInfo { version: env!("CARGO_PKG_VERSION").into(), store_path: state.desk.store_path().display().to_string() })
}
