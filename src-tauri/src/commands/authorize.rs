//! Commands for the sign-in: sign in (with a waiting state the window can cancel), revoke,
//! and discovery for the form's Discover button.

use oauthdesk_core::SignInStart;
use oauthdesk_core::Suggestion;
use oauthdesk_core::{RevokeOutcome, SIGN_IN_TIMEOUT};
use std::collections::BTreeMap;

use oauthdesk_core::ConnectResult;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};
use ts_rs::TS;

use super::{Answer, Shown};
use crate::error::AppError;
use crate::{browser, events, AppState};

/// Sent to the window when a sign-in starts, so it can show the URL as well.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AuthorizeStarted {
    pub handle: String,
    pub url: String,
    pub browser_opened: bool,
    /// A device sign-in: the code to enter at the URL, and the URL as a QR code.
    pub device: Option<DeviceShown>,
}

/// What the window shows of a device sign-in.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct DeviceShown {
    pub user_code: String,
    pub verification_uri: String,
    #[ts(type = "number")]
    pub expires_in: u64,
    /// The verification URI (with the code, when the provider gives one) as an SVG QR code,
    /// drawn here from the URI's text.
    pub qr_svg: String,
}

fn qr_svg(text: &str) -> String {
    qrcode::QrCode::new(text.as_bytes())
        .map(|c| c.render::<qrcode::render::svg::Color<'_>>().min_dimensions(160, 160).build())
        .unwrap_or_default()
}

/// Signs in as the profile's grant does (the browser, or a device code shown in the
/// window), then calls the test URL with the new token.
#[tauri::command]
pub async fn profile_authorize<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, handle: String) -> Answer<ConnectResult> {
    let on_start = |start: SignInStart<'_>| {
        let started = match start {
            SignInStart::Browser(url) => {
                let browser_opened = browser::open(url);
                AuthorizeStarted { handle: handle.clone(), url: url.to_string(), browser_opened, device: None }
            }
            SignInStart::Device(s) => {
                let url = s.verification_uri_complete.clone().unwrap_or_else(|| s.verification_uri.clone());
                let shown = DeviceShown {
                    user_code: s.user_code.clone(),
                    verification_uri: s.verification_uri.clone(),
                    expires_in: s.expires_in,
                    qr_svg: qr_svg(&url),
                };
                AuthorizeStarted { handle: handle.clone(), url, browser_opened: false, device: Some(shown) }
            }
        };
        let _ = app.emit(events::AUTHORIZE_STARTED, started);
    };
    let result = state.desk.sign_in(&handle, SIGN_IN_TIMEOUT, on_start).await;
    Ok(Shown(state.desk.connect_result(&handle, result?).await?))
}

/// Cancels the profile's waiting sign-in or Connect; there being none is not an error.
#[tauri::command]
pub fn profile_authorize_cancel(state: State<'_, AppState>, handle: String) {
    state.desk.cancel(&handle);
}

#[tauri::command]
pub async fn profile_revoke(state: State<'_, AppState>, handle: String) -> Answer<RevokeOutcome> {
    state.desk.revoke(&handle).await.map(Shown).map_err(AppError::from)
}

/// Reads an issuer's metadata for the form: compared with the stored profile (if any), with
/// the fields it fills for the form's template and values (what `discover --apply` saves).
#[tauri::command]
pub async fn discover(
    state: State<'_, AppState>,
    issuer: String,
    handle: Option<String>,
    template: String,
    fields: BTreeMap<String, String>,
    public: bool,
) -> Answer<Suggestion> {
    state.desk.discover_suggestion(&issuer, handle.as_deref(), &template, &fields, public).await.map(Shown).map_err(AppError::from)
}
