//! The Radar panel: what will break next, as the core lists it, and the provider's page each
//! warning is written from.

use oauthdesk_core::Radar;
use tauri::State;

use super::{on_desk, Answer, Shown};
use crate::AppState;

/// Every profile a dated provider change or a known limit will break, soonest first.
#[tauri::command]
pub async fn radar_list(state: State<'_, AppState>) -> Answer<Radar> {
    on_desk(&state, |desk| desk.radar(chrono::Utc::now())).await
}

/// "Source": opens the page a radar warning of `kind` is written from. The page names the
/// kind, never a URL, so only the radar's own sources can be opened.
#[tauri::command]
pub async fn radar_source_open(kind: String) -> Answer<bool> {
    let source = oauthdesk_core::radar_source(&kind)
        .ok_or_else(|| oauthdesk_core::Error::invalid("kind", format!("'{kind}' is not a kind of radar warning")))?;
    let url = url::Url::parse(source).map_err(|e| oauthdesk_core::Error::Internal(e.to_string()))?;
    Ok(Shown(crate::browser::open(&url)))
}
