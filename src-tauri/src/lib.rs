//! The `oauthdesk` binary: with no arguments it opens the window, with a subcommand it runs
//! headless. Both front ends are thin adapters over `oauthdesk_core`.

#[cfg(unix)]
pub mod agent;
pub mod browser;
pub mod cli;
pub mod commands;
pub mod confirm;
pub mod contract;
pub mod error;
pub mod events;
pub mod logging;
pub mod notify;
pub mod paths;
pub mod rendering;
pub mod renewal;
pub mod rotating;
pub mod settings;
pub mod shown;
pub mod watch;
pub mod window;
mod window_state;

use std::sync::Arc;

use oauthdesk_core::Desk;

/// `oauthdesk`: with a subcommand, the command line; with none, the window (the
/// `oauthdesk-window` executable beside this one). Returns the process exit code.
pub fn main() -> i32 {
    if std::env::args_os().len() > 1 {
        cli::run()
    } else {
        window::launch()
    }
}

/// What every command handler shares.
pub struct AppState {
    pub desk: Arc<Desk>,
    /// The sandbox Try it started; it lives as long as the window.
    pub sandbox: tokio::sync::Mutex<Option<oauthdesk_sandbox::Sandbox>>,
}

impl AppState {
    pub fn new(desk: Arc<Desk>) -> Self {
        AppState { desk, sandbox: Default::default() }
    }
}

/// Registers OAuth Desk's commands (the list in `commands`) on a builder (the real one, or
/// tauri's mock in tests).
pub fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    commands::register(builder)
}

/// Brings the main window to the front (a second launch asked for it).
fn focus_main<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    use tauri::Manager as _;
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Opens the window.
pub fn run() -> i32 {
    rendering::choose();
    let settings = match settings::Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => return startup_error(&e.to_string(), e.exit_code()),
    };
    settings.apply();
    let data_dir = paths::data_dir(None);
    let _log = logging::init(&data_dir, logging::Mode::Gui, settings.log);
    // The window will need secrets (the status badges, Connect): open the keyring's session
    // while the store and the webview start.
    let keyring = settings.keyring();
    keyring.prepare();
    let desk = match Desk::open(&data_dir, Arc::new(keyring)) {
        Ok(desk) => Arc::new(desk),
        Err(e) => {
            tracing::error!(error = %e, "cannot open the store");
            crate::cli::emit_err(&format!("oauthdesk: {e}\n"));
            return 1;
        }
    };
    // Tokens the window hands over come from the agent when it runs (it alone renews).
    #[cfg(unix)]
    desk.use_broker(Arc::new(agent::client::Client::for_store(&data_dir)));
    let instance = paths::instance_id(&data_dir);
    let result = with_commands(tauri::Builder::default())
        // First: a second launch on the same data directory exits and focuses this window.
        .plugin(tauri_plugin_single_instance::Builder::new().dbus_id(instance).callback(|app, _args, _cwd| focus_main(app)).build())
        .plugin(tauri_plugin_window_state::Builder::new().with_state_flags(window_state::FLAGS).build())
        .on_window_event(window_state::on_event)
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .setup({
            let desk = desk.clone();
            move |app| {
                renewal::start(app.handle().clone(), desk.clone());
                watch::start(app.handle().clone(), desk);
                Ok(())
            }
        })
        .manage(AppState::new(desk))
        .run(context());
    match result {
        Ok(()) => 0,
        // A window of this store was closing as this one started: it owns the instance name
        // until it is gone, and cannot be handed the launch. Start again once it is.
        Err(tauri::Error::PluginInitialization(plugin, why)) if plugin == "single-instance" => {
            tracing::info!(%why, "the store's window is closing; starting again");
            window::relaunch()
        }
        Err(e) => {
            tracing::error!(error = %e, "the window failed");
            crate::cli::emit_err(&format!("oauthdesk: the window could not start: {e}. For the command line, run `oauthdesk --help`.\n"));
            1
        }
    }
}

/// The window's configuration and pages, built in once.
fn context() -> tauri::Context {
    tauri::generate_context!()
}

/// Says why the window cannot start, on stderr and in a native dialog (a window started from
/// the desktop has no terminal), before any window, file or store is opened; returns `code`
/// once the dialog is closed.
fn startup_error(message: &str, code: i32) -> i32 {
    use tauri_plugin_dialog::{DialogExt, MessageDialogKind};
    crate::cli::emit_err(&format!("oauthdesk: {message}\n"));
    let text = shown::for_terminal(message);
    let mut context = context();
    context.config_mut().app.windows.clear();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            let handle = app.handle().clone();
            app.dialog().message(text).title("OAuth Desk cannot start").kind(MessageDialogKind::Error).show(move |_| handle.exit(code));
            Ok(())
        })
        .run(context);
    if let Err(e) = result {
        tracing::error!(error = %e, "the startup error could not be shown in a window");
    }
    code
}
