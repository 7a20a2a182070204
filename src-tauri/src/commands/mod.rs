//! Tauri commands: each parses its arguments, calls one core function off the UI thread, and
//! returns its result or an `{code, message, field}` error. No logic lives here.
//!
//! Every result crosses to the page as an [`Answer`]: serialized through the redactor
//! ([`Shown`]), so no command result carries a secret the process knows (a test in this
//! module fails on a command that returns anything else).

pub mod authorize;
pub mod bench;
pub mod connect;
pub mod diagnose;
pub mod keys;
pub mod profiles;
pub mod radar;
pub mod sandbox;
pub mod team;

use oauthdesk_core::Desk;

use crate::error::AppError;
pub use crate::shown::Shown;
use crate::AppState;

/// What a command answers the page: its value, redacted as it is serialized, or its error
/// (whose payload is redacted too).
pub type Answer<T> = Result<Shown<T>, AppError>;

/// The one result that is not redacted: a secret the person asked to see and confirmed in a
/// native dialog the page cannot answer (`None` when they cancelled).
pub type Revealing = Result<Option<crate::shown::Revealed>, AppError>;

/// Declares the window's commands once, as `module::name` pairs, and expands to
/// `register` (tauri's invoke handler over exactly these functions), `COMMAND_NAMES` (their
/// names) and `COMMAND_MODULES` (where each is defined, from which `crate::contract` reads
/// its arguments and result for the UI's generated contract). A command added to the
/// handler is thereby always known to the UI's type check with the types it takes and
/// returns, and one the UI calls cannot be missing from the handler.
macro_rules! commands {
    ($($module:ident :: $name:ident),+ $(,)?) => {
        /// The name of every command the window may call, in registration order.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),+];

        /// Each command's module under `src/commands` and its name, in registration order.
        pub const COMMAND_MODULES: &[(&str, &str)] = &[$((stringify!($module), stringify!($name))),+];

        /// Registers every command on a builder (the real one, or tauri's mock in tests).
        pub(crate) fn register<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
            builder.invoke_handler(tauri::generate_handler![$($module::$name),+])
        }
    };
}

commands! {
    profiles::templates,
    profiles::profiles_list,
    profiles::profile_get,
    profiles::profile_check,
    profiles::profile_create,
    profiles::profile_update,
    profiles::profile_confirm_origins,
    profiles::profile_remove,
    profiles::profiles_export,
    profiles::profiles_export_save,
    profiles::profiles_import,
    profiles::app_info,
    profiles::store_rekey,
    connect::profile_connect,
    connect::profile_history,
    connect::profiles_test_all,
    connect::profiles_newer,
    connect::profile_token_view,
    connect::profile_token_reveal,
    connect::profile_connection,
    authorize::profile_authorize,
    authorize::profile_authorize_cancel,
    authorize::profile_revoke,
    authorize::discover,
    diagnose::profile_diagnose,
    diagnose::error_explain,
    diagnose::knowledge_open,
    diagnose::knowledge_providers,
    diagnose::case_save,
    diagnose::case_open,
    keys::key_generate,
    keys::key_import,
    keys::key_show,
    keys::key_remove,
    keys::key_confirm,
    keys::key_certificate,
    keys::key_certificate_save,
    keys::ca_import,
    keys::ca_show,
    keys::ca_remove,
    keys::assertion_preview,
    sandbox::sandbox_start,
    sandbox::sandbox_status,
    sandbox::sandbox_mode,
    sandbox::sandbox_stop,
    bench::bench_mark,
    radar::radar_list,
    radar::radar_source_open,
    team::team_sync,
    team::profile_edit,
}

/// Runs `f` on the desk in a blocking-friendly thread (SQLite and the keyring block).
pub(crate) async fn on_desk<T, F>(state: &AppState, f: F) -> Answer<T>
where
    T: Send + 'static,
    F: FnOnce(&Desk) -> oauthdesk_core::Result<T> + Send + 'static,
{
    let desk = state.desk.clone();
    tauri::async_runtime::spawn_blocking(move || f(&desk))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map(Shown)
        .map_err(AppError::from)
}

#[cfg(test)]
mod tests {
    /// Every command returns an [`super::Answer`] (or a [`super::Shown`] value, or nothing):
    /// a result that skipped the redactor does not build past this test.
    #[test]
    fn every_command_answers_through_the_redactor() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
        let mut wrong = Vec::new();
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for (i, _) in text.match_indices("#[tauri::command") {
                let rest = text.get(i..).unwrap_or_default();
                let signature = rest.split('{').next().unwrap_or_default();
                let returns = signature.rsplit_once("->").map(|(_, r)| r.trim());
                // A secret is returned only after the person's answer to a native dialog.
                let body = rest.get(1..).and_then(|r| r.split("#[tauri::command").next()).unwrap_or_default();
                let revealing = body.contains("crate::confirm::ask(");
                if returns.is_some_and(|r| !(r.starts_with("Answer<") || r.starts_with("Shown<") || (r == "Revealing" && revealing))) {
                    let name = signature.split("fn ").nth(1).unwrap_or_default().split(['(', '<']).next().unwrap_or_default();
                    wrong.push(format!("{}: {name} returns {}", entry.path().display(), returns.unwrap_or_default()));
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }
}
