//! The Git commit a team folder is at, so a profile can say which reviewed version it came
//! from. Read with the `git` program the user already has (`git rev-parse HEAD` in the
//! folder); a folder outside a work tree, a repository with no commit yet or no `git` at all
//! simply has none.

use std::path::Path;
use std::process::{Command, Stdio};

/// The commit `HEAD` names in the work tree that holds `dir`, as 40 (or 64) hex digits.
pub fn head_commit(dir: &Path) -> Option<String> {
    let out = Command::new("git")
        .args(["rev-parse", "--verify", "--quiet", "HEAD"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let commit = text.trim();
    let hex = matches!(commit.len(), 40 | 64) && commit.chars().all(|c| c.is_ascii_hexdigit());
    hex.then(|| commit.to_ascii_lowercase())
}
