//! Questions only a person can answer: a native dialog, opened here in Rust, outside the
//! page. A script in the page can ask for an action that needs one (confirming where
//! credentials may go, revealing a token), but only the person's click on the dialog lets it
//! happen; the page cannot see, answer or dismiss the dialog itself.

use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

/// A button's label with its first letter as the keyboard mnemonic where the desktop shows
/// mnemonics (GTK: Alt and the underlined letter presses it); elsewhere the label as it is.
fn mnemonic(label: &str) -> String {
    if cfg!(target_os = "linux") {
        format!("_{label}")
    } else {
        label.to_string()
    }
}

/// Asks `question` under `title` with `yes` and "Cancel" (Escape); `true` only when the
/// person chose `yes`. Never on the main thread: the dialog runs there and this waits for its
/// answer.
pub async fn ask<R: Runtime>(app: &AppHandle<R>, title: &str, question: &str, yes: &str) -> bool {
    // Without the dialog plugin (tauri's mock runtime in tests) no person can answer: no.
    if tauri::Manager::try_state::<tauri_plugin_dialog::Dialog<R>>(app).is_none() {
        return false;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .message(question)
        .title(title)
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(mnemonic(yes), "Cancel".to_string()));
    if let Some(window) = tauri::Manager::get_webview_window(app, "main") {
        dialog = dialog.parent(&window);
    }
    // The answer is the button pressed (`show` compares it with the label it was given).
    dialog.show(move |answer| {
        let _ = tx.send(answer);
    });
    rx.await.unwrap_or(false)
}
