//! The Keys panel: make, import, show, save and remove a profile's key and certificate, its
//! extra CA bundle, and the assertion it would send. Files come in as their contents (read
//! by the page from a file the user picked), never as paths; the key never goes back out.

use base64::Engine as _;
use oauthdesk_core::Algorithm;
use oauthdesk_core::Unsigned;
use oauthdesk_core::{CaInfo, KeyInfo};
use std::path::PathBuf;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use super::{on_desk, Answer, Shown};
use crate::error::{AppError, AppResult};
use crate::AppState;

fn bytes(field: &str, b64: &str) -> AppResult<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| oauthdesk_core::Error::invalid(field, "is not a file's contents (base64)").into())
}

#[tauri::command]
pub async fn key_generate(state: State<'_, AppState>, handle: String, algorithm: String, bits: Option<usize>) -> Answer<KeyInfo> {
    on_desk(&state, move |d| d.key_generate(&handle, Algorithm::parse("algorithm", &algorithm)?, bits)).await
}

/// `key` and `cert` are the files' contents in base64.
#[tauri::command]
pub async fn key_import(
    state: State<'_, AppState>,
    handle: String,
    key: String,
    cert: Option<String>,
    password: Option<String>,
) -> Answer<KeyInfo> {
    let key = zeroize::Zeroizing::new(bytes("key", &key)?);
    let cert = cert.map(|c| bytes("certificate", &c)).transpose()?;
    let password = password.map(zeroize::Zeroizing::new);
    on_desk(&state, move |d| d.key_import(&handle, &key, cert.as_deref(), password.as_deref().map(|p| p.as_str()))).await
}

/// The profile's key facts; `None` when it has no key.
#[tauri::command]
pub async fn key_show(state: State<'_, AppState>, handle: String) -> Answer<Option<KeyInfo>> {
    on_desk(&state, move |d| match d.key_show(&handle) {
        Err(oauthdesk_core::Error::NotReady { need: oauthdesk_core::Need::Key, .. }) => Ok(None),
        other => other.map(Some),
    })
    .await
}

#[tauri::command]
pub async fn key_remove(state: State<'_, AppState>, handle: String) -> Answer<bool> {
    on_desk(&state, move |d| d.key_remove(&handle)).await
}

/// The person says the new key's certificate is uploaded: the previous key is dropped. Says
/// whether there was one.
#[tauri::command]
pub async fn key_confirm(state: State<'_, AppState>, handle: String) -> Answer<bool> {
    on_desk(&state, move |d| d.key_confirm(&handle)).await
}

/// The certificate (PEM), to copy.
#[tauri::command]
pub async fn key_certificate(state: State<'_, AppState>, handle: String) -> Answer<String> {
    on_desk(&state, move |d| d.key_certificate(&handle)).await
}

/// Saves the certificate through the system's Save dialog; the saved path, or `None` when
/// the dialog was cancelled.
#[tauri::command]
pub async fn key_certificate_save<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, handle: String) -> Answer<Option<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_title("Save the certificate to upload")
        .set_file_name(format!("{handle}.crt"))
        .add_filter("Certificate (PEM)", &["crt", "pem"])
        .save_file(move |chosen| {
            let _ = tx.send(chosen);
        });
    let Some(chosen) = rx.await.ok().flatten() else { return Ok(Shown(None)) };
    let path: PathBuf = chosen.into_path().map_err(|e| AppError::Internal(format!("the Save dialog gave no file path: {e}")))?;
    on_desk(&state, move |d| {
        oauthdesk_core::write_file(&path, &d.key_certificate(&handle)?)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// `bundle` is the PEM file's contents in base64.
#[tauri::command]
pub async fn ca_import(state: State<'_, AppState>, handle: String, bundle: String) -> Answer<CaInfo> {
    let bundle = bytes("ca", &bundle)?;
    on_desk(&state, move |d| d.ca_import(&handle, &bundle)).await
}

#[tauri::command]
pub async fn ca_show(state: State<'_, AppState>, handle: String) -> Answer<CaInfo> {
    on_desk(&state, move |d| d.ca_show(&handle)).await
}

#[tauri::command]
pub async fn ca_remove(state: State<'_, AppState>, handle: String) -> Answer<bool> {
    on_desk(&state, move |d| d.ca_remove(&handle)).await
}

/// The assertion the profile would send, decoded, without its signature.
#[tauri::command]
pub async fn assertion_preview(state: State<'_, AppState>, handle: String) -> Answer<Unsigned> {
    on_desk(&state, move |d| d.assertion(&handle)).await
}
