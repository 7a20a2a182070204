//! The agent: one background process per user and store that keeps every profile's token
//! fresh with the window closed, is the one process that renews them, tells the desktop when
//! a renewal fails, and hands tokens to the command line (and the programs it serves) over a
//! socket only the user can open ([`socket`]).
//!
//! Protocol: line-delimited JSON, one request per line, one answer line each, any number of
//! requests per connection (a request line is at most [`MAX_LINE`] bytes; a connection idle
//! for [`IDLE`] is closed):
//!
//! - `{"op":"token","handle":H,"margin_secs":N,"force":false,"to":URL}` (all but `op` and
//!   `handle` optional) → `{"ok":true,"access_token":…,"token_type":…,"expires_at":…,"info":{…}}`
//!   or `{"ok":false,"error":{"code":…,"message":…,"need":…}}`;
//! - `{"op":"status"}` → `{"ok":true,"pid":…,"store":…,"round_secs":…,"profiles":[{"handle":…,
//!   "expires_at":…,"next_renewal":…,"last_error":…}]}`;
//! - `{"op":"stop"}` → `{"ok":true}`, once a renewal under way has ended; then the agent exits.
//!
//! The agent keeps nothing of its own: tokens live in the store, sealed, written in one
//! transaction each, and every exchange takes the profile's lock across processes, so an
//! agent stopped or killed at any point leaves the store as a completed or a never-started
//! renewal would, and the next start (or any command) goes on from there. Tokens are never
//! logged: every value is known to the redactor, and only handles and error codes are.

pub mod client;
pub mod socket;

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oauthdesk_core::{margin_secs, Desk, Error, DEFAULT_MARGIN};
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

use crate::{notify, renewal};

/// The longest request line read.
pub const MAX_LINE: usize = 64 * 1024;

/// How long a connection may stay silent before it is closed.
pub const IDLE: Duration = Duration::from_secs(10);

/// The most connections answered at once; more wait in the listen queue.
const MAX_CLIENTS: usize = 64;

/// What a client asks.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    Token {
        handle: String,
        /// Renew a cached token with less than this many seconds left (default 60).
        #[serde(default)]
        margin_secs: Option<i64>,
        #[serde(default)]
        force: bool,
        /// Where the program will send the token: handed over only if it may go there.
        #[serde(default)]
        to: Option<String>,
    },
    Status,
    Stop,
}

/// The running agent: the store, and what its renewal rounds found.
pub struct Agent {
    desk: Arc<Desk>,
    socket: PathBuf,
    /// Held while a round renews: `stop` waits for it, so a stop never cuts one short.
    renewing: Mutex<()>,
    /// The last failure of each profile's renewal (the error's message), until one works.
    failures: Mutex<HashMap<String, String>>,
    clients: AtomicUsize,
}

/// An answer for an error.
fn failed(e: &Error) -> Value {
    let p = e.payload();
    json!({ "ok": false, "error": { "code": p.code, "message": p.message, "need": p.need, "handle": p.handle } })
}

/// An answer for a request that could not be read.
fn refused(message: &str) -> Value {
    json!({ "ok": false, "error": { "code": "invalid_input", "message": message } })
}

impl Agent {
    pub fn new(desk: Arc<Desk>, socket: PathBuf) -> Arc<Agent> {
        Arc::new(Agent { desk, socket, renewing: Mutex::new(()), failures: Default::default(), clients: AtomicUsize::new(0) })
    }

    /// Answers connections until a `stop` request ends the process.
    pub fn serve(self: &Arc<Self>, listener: UnixListener) {
        for conn in listener.incoming() {
            let Ok(stream) = conn else { continue };
            if self.clients.load(Ordering::SeqCst) >= MAX_CLIENTS {
                tracing::warn!("agent: too many connections at once; one was closed");
                continue;
            }
            self.clients.fetch_add(1, Ordering::SeqCst);
            let agent = Arc::clone(self);
            let spawned = std::thread::Builder::new().name("agent-client".into()).spawn(move || {
                agent.answer(stream);
                agent.clients.fetch_sub(1, Ordering::SeqCst);
            });
            if spawned.is_err() {
                self.clients.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    /// One connection: the peer is checked to be this user before anything is read.
    fn answer(&self, stream: UnixStream) {
        match socket::peer_uid(&stream) {
            Ok(uid) if socket::peer_allowed(uid, socket::my_uid()) => {}
            Ok(uid) => {
                tracing::warn!(uid, "agent: a process of another user connected; it was refused");
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, "agent: the peer's user is unknown; the connection was refused");
                return;
            }
        }
        let _ = stream.set_read_timeout(Some(IDLE));
        let _ = stream.set_write_timeout(Some(IDLE));
        let Ok(reader) = stream.try_clone() else { return };
        let mut reader = BufReader::new(reader);
        let mut writer = stream;
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
        loop {
            let mut line = Vec::new();
            // One byte more than a line may hold: a longer line is refused, not cut.
            let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX).saturating_add(1);
            match reader.by_ref().take(limit).read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line.len() > MAX_LINE {
                let _ = reply(&mut writer, &refused("the request line is longer than the agent reads"));
                return;
            }
            let (answer, stop) = match serde_json::from_slice::<Request>(&line) {
                Ok(Request::Stop) => (json!({ "ok": true }), true),
                Ok(request) => (rt.block_on(self.handle(request)), false),
                Err(e) => (refused(&format!("not a request the agent knows: {e}")), false),
            };
            if stop {
                self.stop(|| {
                    let _ = reply(&mut writer, &answer);
                });
            }
            if reply(&mut writer, &answer).is_err() {
                return;
            }
        }
    }

    /// Ends the process once a round under way has ended (no other starts: the lock is
    /// kept), its socket removed; `last` runs just before (the answer to `stop`).
    fn stop(&self, last: impl FnOnce()) -> ! {
        let _held = self.renewing.lock().unwrap_or_else(|p| p.into_inner());
        socket::remove(&self.socket);
        tracing::info!("agent: stopped");
        last();
        std::process::exit(0)
    }

    /// A terminate or hang-up signal (`systemctl --user stop`, `kill`) stops the agent as a
    /// `stop` request does.
    fn stop_on_signal(self: &Arc<Self>) -> std::io::Result<()> {
        use tokio::signal::unix::{signal, SignalKind};
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (mut term, mut hup, mut int) = rt.block_on(async {
            Ok::<_, std::io::Error>((signal(SignalKind::terminate())?, signal(SignalKind::hangup())?, signal(SignalKind::interrupt())?))
        })?;
        let agent = Arc::clone(self);
        std::thread::Builder::new().name("agent-signals".into()).spawn(move || {
            rt.block_on(async {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                    _ = int.recv() => {}
                }
            });
            agent.stop(|| {});
        })?;
        Ok(())
    }

    async fn handle(&self, request: Request) -> Value {
        match request {
            Request::Token { handle, margin_secs: margin, force, to } => {
                let to = match to.as_deref().map(Url::parse).transpose() {
                    Ok(to) => to,
                    Err(e) => return refused(&format!("to: not a URL: {e}")),
                };
                let margin = margin.map_or(DEFAULT_MARGIN, margin_secs);
                match self.desk.token_for(&handle, to.as_ref(), force, margin).await {
                    Ok(t) => json!({
                        "ok": true,
                        "access_token": t.access_token.expose(),
                        "token_type": t.info.token_type,
                        "expires_at": t.info.expires_at,
                        "info": t.info,
                    }),
                    Err(e) => failed(&e),
                }
            }
            Request::Status => self.status(),
            Request::Stop => json!({ "ok": true }),
        }
    }

    fn status(&self) -> Value {
        let schedule = match self.desk.renewal_schedule(renewal::EVERY) {
            Ok(s) => s,
            Err(e) => return failed(&e),
        };
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let profiles: Vec<Value> = schedule
            .iter()
            .map(|r| {
                json!({
                    "handle": r.handle,
                    "expires_at": r.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "next_renewal": r.next_renewal.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "last_error": failures.get(&r.handle),
                })
            })
            .collect();
        json!({
            "ok": true,
            "pid": std::process::id(),
            "store": self.desk.store_path(),
            "socket": self.socket,
            "round_secs": renewal::EVERY.as_secs(),
            "profiles": profiles,
        })
    }

    /// Renews what is due, round after round (the first at once): the window's rule
    /// ([`renewal::renew_due`]) and its notification, told once per failing profile.
    pub fn renew_forever(self: &Arc<Self>) {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            tracing::error!("agent: no runtime for renewals");
            return;
        };
        let mut notes = notify::RenewalNotes::default();
        loop {
            {
                let _busy = self.renewing.lock().unwrap_or_else(|p| p.into_inner());
                for (handle, outcome) in rt.block_on(renewal::renew_due(&self.desk, renewal::EVERY)) {
                    {
                        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
                        match &outcome {
                            Ok(()) => failures.remove(&handle),
                            Err(message) => failures.insert(handle.clone(), message.clone()),
                        };
                    }
                    let label = self.desk.get(&handle).map(|p| p.label).unwrap_or_else(|_| handle.clone());
                    if let Some(note) = notes.after(&handle, &label, outcome) {
                        notify::show_on_desktop(&note);
                    }
                }
            }
            std::thread::sleep(renewal::EVERY);
        }
    }
}

fn reply(writer: &mut UnixStream, answer: &Value) -> std::io::Result<()> {
    let mut text = serde_json::to_string(answer).map_err(std::io::Error::other)?;
    text.push('\n');
    writer.write_all(text.as_bytes())?;
    writer.flush()
}

/// Runs the agent for the store in `data_dir` in this process, until it is stopped: fails
/// when another agent already answers for the store, or the socket cannot be made.
pub fn run(desk: Desk, data_dir: &Path) -> Result<(), Error> {
    let path = socket::socket_path(data_dir);
    if let Some(pid) = client::Client::at(path.clone()).status().ok().and_then(|s| s.get("pid").and_then(Value::as_u64)) {
        return Err(Error::invalid("agent", format!("an agent already runs for this store (process {pid})")));
    }
    let listener = socket::listen(&path).map_err(|e| Error::Internal(format!("the agent cannot listen on {}: {e}", path.display())))?;
    let agent = Agent::new(Arc::new(desk), path);
    agent.stop_on_signal()?;
    tracing::info!(socket = %agent.socket.display(), "agent: listening");
    let renewer = Arc::clone(&agent);
    std::thread::Builder::new().name("agent-renewal".into()).spawn(move || renewer.renew_forever())?;
    agent.serve(listener);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Request;

    #[test]
    fn requests_are_read_as_the_protocol_says() {
        let r: Request = serde_json::from_str(r#"{"op":"token","handle":"crm","margin_secs":30}"#).unwrap();
        assert_eq!(r, Request::Token { handle: "crm".into(), margin_secs: Some(30), force: false, to: None });
        assert_eq!(serde_json::from_str::<Request>(r#"{"op":"status"}"#).unwrap(), Request::Status);
        assert_eq!(serde_json::from_str::<Request>(r#"{"op":"stop"}"#).unwrap(), Request::Stop);
        for bad in [r#"{"op":"token"}"#, r#"{"op":"shell","cmd":"x"}"#, "[]", "", "{"] {
            assert!(serde_json::from_str::<Request>(bad).is_err(), "{bad}");
        }
    }
}
