//! A hello-world Tauri window to measure OAuth Desk's window against (`scripts/bench-window.sh`):
//! the same Tauri, built the same way, with the same window configuration (`tauri.conf.json`
//! here: label, title, size, minimum size, content security policy) and an empty page. The
//! page's only script says when it has been painted, through the same `bench_mark` command
//! and `OAUTHDESK_BENCH_MARK` file as the app (`src/commands/bench.rs`).
//!
//! `cargo build --release --example hello-window`; the page is embedded, like the app's UI.

use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

#[tauri::command]
async fn bench_mark() {
    let Some(path) = std::env::var_os("OAUTHDESK_BENCH_MARK").filter(|p| !p.is_empty()) else { return };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    let written = std::fs::OpenOptions::new().create(true).append(true).open(&path).and_then(|mut f| writeln!(f, "painted {now}"));
    if let Err(e) = written {
        eprintln!("hello-window: cannot write the benchmark's mark: {e}");
    }
}

fn main() {
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![bench_mark])
        .run(tauri::generate_context!("examples/hello-window/tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("hello-window: {e}");
        std::process::exit(1);
    }
}
