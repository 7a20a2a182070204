//! Where OAuth Desk keeps its store and logs: `--data-dir`, else `OAUTHDESK_DATA_DIR`, else
//! the platform's data directory (e.g. ~/.local/share/oauthdesk on Linux).

use std::path::{Path, PathBuf};

pub const DATA_DIR_ENV: &str = "OAUTHDESK_DATA_DIR";

pub fn data_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(dir) = explicit {
        return dir.to_path_buf();
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("oauthdesk")
}

pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}
