//! The command line's side of the agent: asks it for tokens (as the desk's
//! [`TokenBroker`], so `token`, `exec` and the credential helpers all ask through
//! [`Desk::token_for`](oauthdesk_core::Desk::token_for)), for its status, or to stop. When no
//! agent answers, or `OAUTHDESK_AGENT=off`, the command obtains its token itself, as it always
//! could.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Duration as Span;
use oauthdesk_core::{Token, TokenBroker, TokenInfo};
use serde_json::{json, Value};
use url::Url;

use super::socket;

/// `OAUTHDESK_AGENT=off` makes the command line ignore a running agent.
pub const AGENT_ENV: &str = "OAUTHDESK_AGENT";

/// The longest answer read (a status lists every profile).
const MAX_ANSWER: u64 = 4 * 1024 * 1024;

/// How long a status or stop may take (a stop waits for a renewal under way).
const QUICK: Duration = Duration::from_secs(30);

/// How long a token may take: the agent may be making the exchange (or waiting for another
/// process's), each bounded by the profile's timeout.
const TOKEN_WAIT: Duration = Duration::from_secs(30 * 60);

/// Whether the command line asks a running agent (anything but `OAUTHDESK_AGENT=off`).
pub fn enabled() -> bool {
    !std::env::var(AGENT_ENV).is_ok_and(|v| v.trim().eq_ignore_ascii_case("off"))
}

/// A connection point to the agent of one store.
#[derive(Debug)]
pub struct Client {
    path: PathBuf,
    /// The agent gave no token once: this process obtains its tokens itself from then on
    /// (asking again would only repeat the agent's failure before the command's own).
    declined: AtomicBool,
}

impl Client {
    /// The agent of the store in `data_dir`.
    pub fn for_store(data_dir: &Path) -> Client {
        Client::at(socket::socket_path(data_dir))
    }

    pub fn at(path: PathBuf) -> Client {
        Client { path, declined: AtomicBool::new(false) }
    }

    pub fn socket(&self) -> &Path {
        &self.path
    }

    /// Sends one request and reads its answer.
    pub fn ask(&self, request: &Value, wait: Duration) -> std::io::Result<Value> {
        let mut stream = socket::connect(&self.path)?;
        stream.set_read_timeout(Some(wait))?;
        stream.set_write_timeout(Some(QUICK))?;
        let mut line = serde_json::to_string(request).map_err(std::io::Error::other)?;
        line.push('\n');
        stream.write_all(line.as_bytes())?;
        let mut answer = Vec::new();
        BufReader::new(stream).take(MAX_ANSWER).read_until(b'\n', &mut answer)?;
        serde_json::from_slice(&answer).map_err(std::io::Error::other)
    }

    /// The agent's status: what it renews and when.
    pub fn status(&self) -> std::io::Result<Value> {
        self.ask(&json!({ "op": "status" }), QUICK)
    }

    /// Asks the agent to stop (once a renewal under way has ended).
    pub fn stop(&self) -> std::io::Result<Value> {
        self.ask(&json!({ "op": "stop" }), QUICK)
    }
}

/// A token from the agent's answer, when it gave one.
fn token_of(answer: &Value) -> Option<Token> {
    if answer.get("ok") != Some(&Value::Bool(true)) {
        return None;
    }
    let access = answer.get("access_token")?.as_str()?.to_string();
    let info: TokenInfo = serde_json::from_value(answer.get("info")?.clone()).ok()?;
    Some(Token::from_broker(access, info))
}

impl TokenBroker for Client {
    fn token(&self, handle: &str, to: Option<&Url>, force: bool, margin: Span) -> Option<Token> {
        if !enabled() || self.declined.load(Ordering::SeqCst) || !self.path.exists() {
            return None;
        }
        let request = json!({
            "op": "token",
            "handle": handle,
            "margin_secs": margin.num_seconds(),
            "force": force,
            "to": to.map(Url::as_str),
        });
        let token = match self.ask(&request, TOKEN_WAIT) {
            Ok(answer) => {
                let token = token_of(&answer);
                if token.is_none() {
                    let code = answer.pointer("/error/code").and_then(Value::as_str).unwrap_or("unknown");
                    tracing::info!(%handle, code, "the agent gave no token; obtaining it in this process");
                }
                token
            }
            Err(e) => {
                tracing::debug!(error = %e, "no agent answers; obtaining the token in this process");
                None
            }
        };
        if token.is_none() {
            self.declined.store(true, Ordering::SeqCst);
        }
        token
    }
}
