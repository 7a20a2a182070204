//! The Diagnose button: the stages, the cause and fix, and the support report to copy.

use oauthdesk_core::diagnose::Diagnosis;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::AppResult;
use crate::AppState;

#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct DiagnoseResult {
    pub diagnosis: Diagnosis,
    /// The Markdown support report, without secrets.
    pub report: String,
}

#[tauri::command]
pub async fn profile_diagnose(state: State<'_, AppState>, handle: String) -> AppResult<DiagnoseResult> {
    let diagnosis = state.desk.diagnose(&handle).await?;
    let report = state.desk.report(&diagnosis)?;
    Ok(DiagnoseResult { diagnosis, report })
}
