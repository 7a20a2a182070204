//! The Diagnose button: the stages, the cause and fix, and the support report to copy.

use std::path::PathBuf;

use oauthdesk_core::Diagnosis;
use oauthdesk_core::{explain_error, CaseReplay, Explanation, Provider};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use ts_rs::TS;

use super::{Answer, Shown};
use crate::error::AppError;
use crate::AppState;

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct DiagnoseResult {
    pub diagnosis: Diagnosis,
    /// The Markdown support report, without secrets.
    pub report: String,
}

#[tauri::command]
pub async fn profile_diagnose(state: State<'_, AppState>, handle: String) -> Answer<DiagnoseResult> {
    let diagnosis = state.desk.diagnose(&handle).await?;
    let report = state.desk.report(&diagnosis)?;
    Ok(Shown(DiagnoseResult { diagnosis, report }))
}

/// The "Paste an error" box: what a pasted error means, without a profile.
#[tauri::command]
pub async fn error_explain(text: String, provider: Option<String>) -> Answer<Explanation> {
    Ok(Shown(explain_error(&text, provider.as_deref())?))
}

/// "Learn more": opens the documentation a knowledge-base entry or a diagnosis finding
/// cites. The page names the entry, never a URL, so nothing but the knowledge base's own
/// links can be opened.
#[tauri::command]
pub async fn knowledge_open(entry: String) -> Answer<bool> {
    let source = oauthdesk_core::learn_more(&entry)
        .ok_or_else(|| oauthdesk_core::Error::invalid("entry", format!("'{entry}' is not a knowledge-base entry")))?;
    let url = url::Url::parse(source).map_err(|e| oauthdesk_core::Error::Internal(e.to_string()))?;
    Ok(Shown(crate::browser::open(&url)))
}

/// The providers the knowledge base knows (for the profile's provider and the paste box).
#[tauri::command]
pub async fn knowledge_providers() -> Answer<Vec<Provider>> {
    Ok(Shown(oauthdesk_core::knowledge_providers().to_vec()))
}

/// Where a case file was saved.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct CaseSaved {
    pub path: String,
}

/// "Save case": diagnoses the profile and writes its case file where the person chooses in
/// the system's Save dialog, opened here (the page never names a path); `None` when the
/// dialog was cancelled.
#[tauri::command]
pub async fn case_save<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, handle: String) -> Answer<Option<CaseSaved>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Save case (no secrets, no tokens)")
        .set_file_name(format!("{handle}.case.json"))
        .add_filter("OAuth Desk case (JSON)", &["json"])
        .save_file(move |chosen| {
            let _ = tx.send(chosen);
        });
    let Some(chosen) = rx.await.ok().flatten() else { return Ok(Shown(None)) };
    let path: PathBuf = chosen.into_path().map_err(|e| AppError::Internal(format!("the Save dialog gave no file path: {e}")))?;
    let diagnosis = state.desk.diagnose(&handle).await?;
    let text = state.desk.case(&diagnosis)?;
    oauthdesk_core::write_file(&path, &text)?;
    Ok(Shown(Some(CaseSaved { path: path.display().to_string() })))
}

/// Opening a case file: chosen in the system's Open dialog, opened here, and diagnosed again
/// offline against the local player; `None` when the dialog was cancelled.
#[tauri::command]
pub async fn case_open<R: Runtime>(app: AppHandle<R>) -> Answer<Option<CaseReplay>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title("Open a case file").add_filter("OAuth Desk case (JSON)", &["json"]).pick_file(move |chosen| {
        let _ = tx.send(chosen);
    });
    let Some(chosen) = rx.await.ok().flatten() else { return Ok(Shown(None)) };
    let path: PathBuf = chosen.into_path().map_err(|e| AppError::Internal(format!("the Open dialog gave no file path: {e}")))?;
    let case = oauthdesk_core::Case::read(&path)?;
    let replayed = oauthdesk_sandbox::replay::replay(&case, &std::env::temp_dir()).await?;
    Ok(Shown(Some(replayed)))
}
