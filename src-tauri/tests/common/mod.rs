//! Shared by the integration tests: running the real `oauthdesk` binary against a temporary
//! data directory, the test profiles they create ([`TestProfile`], in `profile.rs`), every
//! local server they talk to on 127.0.0.1 (`servers.rs`: npm's oidc-provider, the sandbox's
//! test scenarios in this process, bare TCP stubs), and plain HTTP requests of their own
//! (`http.rs`). Each server is stopped when dropped.
// Test helpers may index the JSON and text they read: a wrong index is a failed test.
#![allow(dead_code, unused_imports, clippy::indexing_slicing)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// Every spelling of a secret, shared with the core's tests of the redactor.
#[path = "../../../crates/core/tests/support/spellings.rs"]
pub mod spellings;

pub mod bao;
pub mod echo;
pub mod http;
mod profile;
mod servers;

pub use profile::TestProfile;
pub use servers::{closed_port, HttpStub, Received, Server, StandIn, Stub};

/// Every template, in the catalogue's order; the last (the password grant) is legacy and
/// listed only when asked for.
pub const TEMPLATE_IDS: [&str; 8] = [
    "salesforce-client-credentials",
    "salesforce-authorization-code",
    "custom-oauth2",
    "client-credentials",
    "salesforce-jwt-bearer",
    "jwt-bearer",
    "device-code",
    "password",
];

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn oauthdesk(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    oauthdesk_env(data_dir, args, stdin, &[])
}

pub fn oauthdesk_env(data_dir: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oauthdesk"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .envs(env.iter().copied())
        .env("OAUTHDESK_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the oauthdesk binary runs");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).unwrap();
    }
    drop(pipe);
    let Output { status, stdout, stderr } = child.wait_with_output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

pub fn ok(run: Run) -> Run {
    assert_eq!(run.code, 0, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    run
}

pub fn json(run: Run) -> Value {
    serde_json::from_str(&ok(run).stdout).expect("--json prints JSON")
}

/// Everything the files under `dir` hold (folders included), as text: what a scan for a
/// secret that must not be written anywhere searches.
pub fn data_dir_text(dir: &Path) -> String {
    let mut all = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                all.push_str(&String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    all
}

/// A window command's request as the page sends it (for tauri's mock runtime).
pub fn invoke_request(cmd: &str, args: Value) -> tauri::webview::InvokeRequest {
    use tauri::ipc::{CallbackFn, InvokeBody};
    tauri::webview::InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: tauri::test::INVOKE_KEY.to_string(),
    }
}
