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

/// The name under which a running window is found by a second launch (on Linux, a D-Bus
/// name): one window per data directory, so a window on another store (`--data-dir`,
/// `OAUTHDESK_DATA_DIR`) is another instance.
pub fn instance_id(data_dir: &Path) -> String {
    use std::hash::{Hash, Hasher};
    const APP: &str = "dev.oauthdesk.app";
    let dir = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let default = dirs::data_dir().map(|d| d.join("oauthdesk"));
    if default.as_deref().map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf())) == Some(dir.clone()) {
        return APP.to_string();
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    dir.hash(&mut hasher);
    // A D-Bus name element may not start with a digit.
    format!("{APP}.d{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::instance_id;

    #[test]
    fn one_instance_per_data_directory() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        assert_eq!(instance_id(a.path()), instance_id(a.path()));
        assert_ne!(instance_id(a.path()), instance_id(b.path()));
        let id = instance_id(a.path());
        let last = id.rsplit('.').next().unwrap();
        assert!(last.starts_with('d') && last.len() == 17, "a valid D-Bus name element: {id}");
    }
}
