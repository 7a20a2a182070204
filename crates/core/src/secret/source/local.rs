//! The sources on this machine: an environment variable, a file, and the 1Password CLI.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Reason, Reference, SourceError, MAX_VALUE, OP_TIMEOUT};

/// `env:NAME`.
pub(super) fn env(r: &Reference, vars: &(dyn Fn(&str) -> Option<String> + Sync), name: &str) -> Result<String, SourceError> {
    vars(name).ok_or_else(|| SourceError::new(r, Reason::NotConfigured, format!("the environment variable {name} is not set")))
}

/// The file's path, `~/` read as the home folder.
fn expand(r: &Reference, vars: &(dyn Fn(&str) -> Option<String> + Sync), path: &str) -> Result<PathBuf, SourceError> {
    match path.strip_prefix("~/") {
        Some(rest) => {
            let home = vars("HOME").or_else(|| vars("USERPROFILE")).filter(|h| !h.is_empty());
            let home = home.ok_or_else(|| SourceError::new(r, Reason::NotConfigured, "the home folder is not known (HOME is not set)"))?;
            Ok(PathBuf::from(home).join(rest))
        }
        None => Ok(PathBuf::from(path)),
    }
}

/// Reads at most [`MAX_VALUE`] bytes of `path`; more is [`Reason::TooLarge`].
pub(super) fn read_bounded(r: &Reference, path: &std::path::Path) -> Result<Vec<u8>, SourceError> {
    let shown = path.display();
    let failed = |e: std::io::Error| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => Reason::NotFound,
            std::io::ErrorKind::PermissionDenied => Reason::Denied,
            _ => Reason::Failed,
        };
        SourceError::new(r, reason, format!("{shown} cannot be read: {e}"))
    };
    let file = std::fs::File::open(path).map_err(failed)?;
    if file.metadata().map_err(failed)?.is_dir() {
        return Err(SourceError::new(r, Reason::Unusable, format!("{shown} is a folder, not a file")));
    }
    let mut bytes = Vec::new();
    file.take(MAX_VALUE as u64 + 1).read_to_end(&mut bytes).map_err(failed)?;
    if bytes.len() > MAX_VALUE {
        zeroize::Zeroize::zeroize(&mut bytes);
        return Err(SourceError::new(r, Reason::TooLarge, format!("{shown} is larger than {} KiB", MAX_VALUE / 1024)));
    }
    Ok(bytes)
}

/// `text` without one trailing line break (`\n` or `\r\n`), as editors and `echo` end files.
fn without_final_newline(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    text
}

/// `file:PATH`'s bytes, as they are.
pub(super) fn file_bytes(r: &Reference, vars: &(dyn Fn(&str) -> Option<String> + Sync), path: &str) -> Result<Vec<u8>, SourceError> {
    read_bounded(r, &expand(r, vars, path)?)
}

/// `file:PATH`.
pub(super) fn file(r: &Reference, vars: &(dyn Fn(&str) -> Option<String> + Sync), path: &str) -> Result<String, SourceError> {
    let path = expand(r, vars, path)?;
    let bytes = read_bounded(r, &path)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(without_final_newline(text)),
        Err(e) => {
            let mut bytes = e.into_bytes();
            zeroize::Zeroize::zeroize(&mut bytes);
            Err(SourceError::new(r, Reason::Unusable, format!("{} is not text (UTF-8)", path.display())))
        }
    }
}

/// How often a running `op` is looked at.
const POLL: Duration = Duration::from_millis(20);

/// `op://…`, through the 1Password CLI (`program`): `op read --no-newline REF`, with no
/// input, given [`OP_TIMEOUT`] (then stopped), its output read up to [`MAX_VALUE`].
pub(super) async fn op(r: &Reference, program: &str) -> Result<String, SourceError> {
    let (r2, program) = (r.clone(), program.to_string());
    tokio::task::spawn_blocking(move || op_blocking(&r2, &program))
        .await
        .unwrap_or_else(|e| Err(SourceError::new(r, Reason::Failed, format!("the 1Password CLI could not be run: {e}"))))
}

fn op_blocking(r: &Reference, program: &str) -> Result<String, SourceError> {
    let mut child = Command::new(program)
        .args(["read", "--no-newline", r.as_str()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                SourceError::new(r, Reason::NotInstalled, "the 1Password CLI (op) is not installed, or not on the PATH")
            }
            _ => SourceError::new(r, Reason::Failed, format!("the 1Password CLI could not be started: {e}")),
        })?;
    // Both pipes are drained on threads of their own, so a chatty `op` never blocks on a
    // full pipe while it is waited for; each keeps at most its cap.
    let drain = |pipe: Option<Box<dyn Read + Send>>, cap: usize| {
        std::thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(p) = pipe {
                let _ = p.take(cap as u64 + 1).read_to_end(&mut out);
            }
            out
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>), MAX_VALUE);
    let err = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>), 4096);
    let deadline = Instant::now() + OP_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SourceError::new(
                    r,
                    Reason::Unreachable,
                    format!("the 1Password CLI did not answer within {} s", OP_TIMEOUT.as_secs()),
                ));
            }
            Ok(None) => std::thread::sleep(POLL),
            Err(e) => return Err(SourceError::new(r, Reason::Failed, format!("the 1Password CLI could not be waited for: {e}"))),
        }
    };
    let mut value = out.join().unwrap_or_default();
    let said = String::from_utf8_lossy(&err.join().unwrap_or_default()).trim().to_string();
    if !status.success() {
        zeroize::Zeroize::zeroize(&mut value);
        let lower = said.to_lowercase();
        let reason = if lower.contains("isn't an item") || lower.contains("not found") || lower.contains("no item") {
            Reason::NotFound
        } else if lower.contains("isn't a field") || lower.contains("does not have a field") {
            Reason::FieldMissing
        } else if lower.contains("sign in") || lower.contains("signed in") || lower.contains("session") {
            Reason::TokenInvalid
        } else {
            Reason::Failed
        };
        let said = crate::model::text::preview(&said, 300);
        return Err(SourceError::new(r, reason, format!("the 1Password CLI answered: {said}")));
    }
    if value.len() > MAX_VALUE {
        zeroize::Zeroize::zeroize(&mut value);
        return Err(SourceError::new(r, Reason::TooLarge, format!("the value is larger than {} KiB", MAX_VALUE / 1024)));
    }
    String::from_utf8(value).map_err(|e| {
        let mut bytes = e.into_bytes();
        zeroize::Zeroize::zeroize(&mut bytes);
        SourceError::new(r, Reason::Unusable, "the value is not text (UTF-8)")
    })
}
