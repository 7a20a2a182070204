//! A hello-world Tauri window to measure OAuth Desk's window against (`scripts/bench-window.sh`):
//! the same Tauri, built the same way, with the same window configuration (`tauri.conf.json`
//! here: label, title, size, minimum size, content security policy) and an empty page. The
//! page's only script says when it has been painted, through the app's own `bench_mark`
//! command (`src/commands/bench.rs`), which writes to the file `OAUTHDESK_BENCH_MARK` names.
//!
//! `cargo build --release --example hello-window`; the page is embedded, like the app's UI.

fn main() {
    let result = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![oauthdesk_app::commands::bench::bench_mark])
        .run(tauri::generate_context!("examples/hello-window/tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("hello-window: {e}");
        std::process::exit(1);
    }
}
