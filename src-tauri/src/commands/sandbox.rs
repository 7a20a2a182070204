//! The sandbox from the window: Try it starts it inside the window's process (so it stops
//! when the window closes), puts its profiles in the store, and lets the failure mode be
//! switched for practice. The window then connects the profiles with the usual commands.

use oauthdesk_sandbox::{ModeInfo, Options, Sandbox};
use tauri::State;

use super::{Answer, Shown};
use crate::error::AppError;
use crate::AppState;

/// The running sandbox, as the window shows it (its clients' secrets are in the profiles,
/// not on screen).
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SandboxInfo {
    pub issuer: String,
    /// The failure mode played (a knowledge-base entry), `None` when healthy.
    pub mode: Option<String>,
    /// The profiles that try it, in the order to show them.
    pub profiles: Vec<String>,
    pub modes: Vec<ModeInfo>,
}

/// The panel's lines: the profiles Try it connects (the providers' sign-ins are in the
/// store, for practice, without a line of their own).
fn info(sandbox: &Sandbox, profiles: Vec<String>) -> SandboxInfo {
    let profiles = profiles.into_iter().filter(|h| oauthdesk_sandbox::tried(h)).collect();
    SandboxInfo { issuer: sandbox.issuer().to_string(), mode: sandbox.mode(), profiles, modes: oauthdesk_sandbox::modes() }
}

fn handles(sandbox: &Sandbox) -> Vec<String> {
    sandbox.profiles().into_iter().map(|p| p.handle).collect()
}

/// Starts the sandbox (once) and creates or updates its profiles.
#[tauri::command]
pub async fn sandbox_start(state: State<'_, AppState>) -> Answer<SandboxInfo> {
    let mut running = state.sandbox.lock().await;
    if running.is_none() {
        let started = Sandbox::start(Options::default()).await.map_err(|e| AppError::Internal(e.to_string()))?;
        *running = Some(started);
    }
    let Some(sandbox) = running.as_ref() else { return Err(AppError::Internal("the sandbox did not start".into())) };
    let profiles = oauthdesk_sandbox::install(&state.desk, sandbox)?;
    Ok(Shown(info(sandbox, profiles)))
}

/// The sandbox, if it runs.
#[tauri::command]
pub async fn sandbox_status(state: State<'_, AppState>) -> Answer<Option<SandboxInfo>> {
    Ok(Shown(state.sandbox.lock().await.as_ref().map(|s| info(s, handles(s)))))
}

/// Switches the failure mode (`None` or "" for healthy).
#[tauri::command]
pub async fn sandbox_mode(state: State<'_, AppState>, mode: Option<String>) -> Answer<SandboxInfo> {
    let running = state.sandbox.lock().await;
    let Some(sandbox) = running.as_ref() else {
        return Err(oauthdesk_core::Error::invalid("mode", "the sandbox is not running; start it with Try it").into());
    };
    sandbox.set_mode(mode.as_deref()).map_err(|e| oauthdesk_core::Error::invalid("mode", e.to_string()))?;
    // A provider's sign-in, made when one of its modes is first played.
    oauthdesk_sandbox::install_for_mode(&state.desk, sandbox, mode.as_deref())?;
    Ok(Shown(info(sandbox, handles(sandbox))))
}

/// Stops the sandbox (its profiles stay, and fail until it runs again).
#[tauri::command]
pub async fn sandbox_stop(state: State<'_, AppState>) -> Answer<()> {
    state.sandbox.lock().await.take();
    Ok(Shown(()))
}
