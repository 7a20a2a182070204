//! The window comes back at the size and place it was left (tauri-plugin-window-state). The
//! plugin writes its file when the app exits normally; a session that ends otherwise (the
//! system logs out, the process is killed) would lose a resize, so the state is also written
//! half a second after the window stops moving or resizing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tauri::{Manager as _, Runtime, Window, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt as _, StateFlags};

/// What is remembered: size, position and whether it was maximised.
pub const FLAGS: StateFlags = StateFlags::SIZE.union(StateFlags::POSITION).union(StateFlags::MAXIMIZED);

const SETTLE: Duration = Duration::from_millis(500);

/// Counts moves and resizes; a save runs only if no other came during its wait.
static GENERATION: AtomicU64 = AtomicU64::new(0);

pub fn on_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
        return;
    }
    let generation = GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        if GENERATION.load(Ordering::SeqCst) == generation {
            if let Err(e) = app.save_window_state(FLAGS) {
                tracing::warn!(error = %e, "the window's size could not be saved");
            }
        }
    });
}
