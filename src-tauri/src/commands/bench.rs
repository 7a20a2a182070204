//! The window benchmark's mark (`scripts/bench-window.sh`): the page calls `bench_mark` once
//! its profile list has been painted. When `OAUTHDESK_BENCH_MARK` names a file, the time
//! (nanoseconds since the Unix epoch) is appended to it as `painted <ns>`, and the script
//! subtracts the time it started the window; otherwise the call does nothing. The
//! hello-world window it is measured against (`examples/hello-window`) writes the same mark.

use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

/// The variable that names the file the mark is written to.
pub const MARK_ENV: &str = "OAUTHDESK_BENCH_MARK";

#[tauri::command]
pub async fn bench_mark() {
    let Some(path) = std::env::var_os(MARK_ENV).filter(|p| !p.is_empty()) else { return };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    let written = std::fs::OpenOptions::new().create(true).append(true).open(&path).and_then(|mut f| writeln!(f, "painted {now}"));
    if let Err(e) = written {
        tracing::warn!(error = %e, "cannot write the benchmark's mark");
    }
}
