//! The Diagnose button: the stages, the cause and fix, and the support report to copy.

use oauthdesk_core::Diagnosis;
use oauthdesk_core::{explain_error, Explanation, Provider};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use super::{Answer, Shown};
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
