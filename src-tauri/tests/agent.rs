//! `oauthdesk agent`: the background process that renews tokens with the window closed and
//! hands them to the command line over a socket only its user can open. Each test gives the
//! agent a fresh data directory and `XDG_RUNTIME_DIR`, and stops it when it ends: `token`
//! answered by the agent (`source: agent`), `OAUTHDESK_AGENT=off` and a stopped agent falling
//! back to the command's own path, the socket's modes and another user refused, the status's
//! next renewals, `install` without a user manager, and 60-second tokens renewed by the agent
//! against a provider that rotates refresh tokens (and revokes the family on a reuse) while
//! the command line asks at the same time.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::DateTime;
use common::{data_dir_text, json, oauthdesk_env, ok, Run, Server, StandIn, TestProfile};
use serde_json::Value;

/// A store and the runtime directory its agent's socket goes in; the agent (if started) is
/// stopped when this is dropped.
struct Setup {
    data: tempfile::TempDir,
    run: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        Setup { data: tempfile::tempdir().unwrap(), run: tempfile::tempdir().unwrap() }
    }

    fn d(&self) -> &Path {
        self.data.path()
    }

    /// `oauthdesk ARGS` with this setup's runtime directory, and `env` on top.
    fn cli(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut all = vec![("XDG_RUNTIME_DIR", self.run.path().to_str().unwrap())];
        all.extend_from_slice(env);
        oauthdesk_env(self.d(), args, None, &all)
    }

    fn start(&self) {
        ok(self.cli(&["agent", "start"], &[]));
    }

    /// The agent's socket folder and the sockets in it.
    fn sockets(&self) -> (PathBuf, Vec<PathBuf>) {
        let dir = self.run.path().join("oauthdesk");
        let socks = std::fs::read_dir(&dir).map(|r| r.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        (dir, socks)
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = self.cli(&["agent", "stop"], &[]);
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn rfc3339(v: &Value) -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("an RFC 3339 date: {v}"))).unwrap()
}

#[test]
fn the_agent_answers_token_and_the_command_line_goes_on_without_it() {
    let standin = StandIn::start();
    let s = Setup::new();
    TestProfile::client_credentials("sess", &standin.url("/session/token"), "c").secret("s").add(s.d());
    TestProfile::client_credentials("other", &standin.url("/session/token"), "c").secret("s").add(s.d());
    let status = s.cli(&["agent", "status", "--json"], &[]);
    assert_eq!(status.code, 3, "not running yet: {}", status.stderr);
    assert_eq!(serde_json::from_str::<Value>(&status.stdout).unwrap()["running"], false);
    s.start();
    let again = ok(s.cli(&["agent", "start", "--json"], &[]));
    assert_eq!(serde_json::from_str::<Value>(&again.stdout).unwrap()["started"], false, "one agent per store");

    // Only the user can open the socket.
    let (dir, socks) = s.sockets();
    assert_eq!(socks.len(), 1, "{socks:?}");
    assert_eq!((mode(&dir), mode(&socks[0])), (0o700, 0o600));

    let first = json(s.cli(&["token", "sess", "--json"], &[]));
    assert_eq!(first["source"], "agent", "{first}");
    let value = first["access_token"].as_str().unwrap().to_string();
    let hits = standin.hits("/session/token");
    let cached = json(s.cli(&["token", "sess", "--json"], &[]));
    assert_eq!((cached["source"].as_str(), cached["access_token"].as_str()), (Some("agent"), Some(value.as_str())));
    assert_eq!(standin.hits("/session/token"), hits, "the agent's cached token, no new exchange");
    let plain = ok(s.cli(&["token", "sess"], &[]));
    assert_eq!(plain.stdout.trim(), value);

    // `exec` asks the agent through the same seam.
    let exec = ok(s.cli(&["exec", "sess", "--", "sh", "-c", "printf %s \"$OAUTHDESK_TOKEN\""], &[]));
    assert_eq!(exec.stdout, value);
    assert_eq!(standin.hits("/session/token"), hits);

    // OAUTHDESK_AGENT=off: the command's own path, which finds the token the agent stored.
    let off = json(s.cli(&["token", "sess", "--json"], &[("OAUTHDESK_AGENT", "off")]));
    assert_eq!((off["source"].as_str(), off["access_token"].as_str()), (Some("cache"), Some(value.as_str())));

    // An error the agent meets is the command's own error, in its own words.
    let missing = s.cli(&["token", "nope", "--json"], &[]);
    let alone = s.cli(&["token", "nope", "--json"], &[("OAUTHDESK_AGENT", "off")]);
    assert_eq!((missing.code, &missing.stdout), (alone.code, &alone.stdout), "{}", missing.stderr);
    assert!(missing.stderr.contains("oauthdesk: no profile with handle 'nope'"), "{}", missing.stderr);

    // The status lists what it renews and when: a round and the margin before expiry.
    let status = json(s.cli(&["agent", "status", "--json"], &[]));
    assert_eq!(status["running"], true);
    let profiles = status["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 1, "only a profile with a token is renewed: {status}");
    assert_eq!(profiles[0]["handle"], "sess");
    let (next, expires) = (rfc3339(&profiles[0]["next_renewal"]), rfc3339(&profiles[0]["expires_at"]));
    assert_eq!((expires - next).num_seconds(), 80, "{status}");
    ok(s.cli(&["token", "other"], &[]));
    let status = json(s.cli(&["agent", "status", "--json"], &[]));
    let handles: Vec<&str> = status["profiles"].as_array().unwrap().iter().map(|p| p["handle"].as_str().unwrap()).collect();
    assert_eq!(handles.len(), 2, "{status}");
    assert!(handles.contains(&"other") && handles.contains(&"sess"));
    let text = ok(s.cli(&["agent", "status"], &[])).stdout;
    assert!(text.contains("sess") && text.contains("next renewal"), "{text}");

    // Stopped: the socket is gone, and `token` still works, from the store.
    ok(s.cli(&["agent", "stop"], &[]));
    assert!(!socks[0].exists(), "the socket is removed");
    assert_eq!(s.cli(&["agent", "status"], &[]).code, 3);
    let after = json(s.cli(&["token", "sess", "--json"], &[]));
    assert_eq!((after["source"].as_str(), after["access_token"].as_str()), (Some("cache"), Some(value.as_str())));
    assert_eq!(ok(s.cli(&["agent", "stop"], &[])).stdout.trim(), "No agent runs for this store.");

    // No token in any file the agent or the commands wrote (the logs at trace level among them).
    let files = data_dir_text(s.d());
    assert!(!files.contains(&value), "a token in the data directory's files");
}

/// A killed agent leaves a socket nobody answers: the command line falls back at once, and
/// the next start replaces it.
#[test]
fn a_killed_agent_loses_nothing_and_the_next_start_goes_on() {
    let standin = StandIn::start();
    let s = Setup::new();
    TestProfile::client_credentials("sess", &standin.url("/session/token"), "c").secret("s").add(s.d());
    s.start();
    let first = json(s.cli(&["token", "sess", "--json"], &[]));
    assert_eq!(first["source"], "agent");
    let pid = json(s.cli(&["agent", "status", "--json"], &[]))["pid"].as_u64().unwrap();
    assert!(Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap().success());
    let began = Instant::now();
    while s.cli(&["agent", "status"], &[]).code == 0 {
        assert!(began.elapsed() < Duration::from_secs(10), "the agent was killed");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (_, socks) = s.sockets();
    assert_eq!(socks.len(), 1, "a killed agent leaves its socket");
    let fallback = json(s.cli(&["token", "sess", "--json"], &[]));
    assert_eq!((fallback["source"].as_str(), &fallback["access_token"]), (Some("cache"), &first["access_token"]));
    s.start();
    let again = json(s.cli(&["token", "sess", "--json"], &[]));
    assert_eq!((again["source"].as_str(), &again["access_token"]), (Some("agent"), &first["access_token"]));
}

/// Another user's process cannot reach the agent: the socket's folder is closed to it, even
/// where the runtime folder above is open. (The agent's own check of the peer's user is
/// proven by its unit test: a test that is not root cannot be another user, and a root one
/// passes any file permission.)
#[test]
fn another_user_cannot_reach_the_agent() {
    let s = Setup::new();
    std::fs::set_permissions(s.run.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    s.start();
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    if !root {
        eprintln!("not root: another user's process cannot be started here; the unit test checks the peer check");
        return;
    }
    let (_, socks) = s.sockets();
    let connect = format!(
        "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ntry:\n s.connect({:?})\nexcept PermissionError:\n sys.exit(13)\ns.sendall(b'{{\"op\":\"status\"}}\\n')\nprint(s.recv(4096))",
        socks[0].to_str().unwrap()
    );
    let mut other = Command::new("/usr/bin/python3");
    other.args(["-c", &connect]);
    std::os::unix::process::CommandExt::gid(&mut other, 65_534);
    std::os::unix::process::CommandExt::uid(&mut other, 65_534);
    let other = other.stdout(Stdio::piped()).stderr(Stdio::piped()).output().unwrap();
    assert_eq!(other.status.code(), Some(13), "{}{}", String::from_utf8_lossy(&other.stdout), String::from_utf8_lossy(&other.stderr));
    // The agent still answers its user.
    assert_eq!(json(s.cli(&["agent", "status", "--json"], &[]))["running"], true);
}

#[test]
fn install_without_a_user_manager_writes_the_unit_and_says_so() {
    let s = Setup::new();
    let config = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let run =
        s.cli(&["agent", "install"], &[("XDG_CONFIG_HOME", config.path().to_str().unwrap()), ("PATH", empty.path().to_str().unwrap())]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("no systemd user manager runs here"), "{}", run.stderr);
    assert!(run.stderr.contains("oauthdesk agent start"), "{}", run.stderr);
    let units: Vec<PathBuf> = std::fs::read_dir(config.path().join("systemd/user")).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(units.len(), 1);
    let unit = std::fs::read_to_string(&units[0]).unwrap();
    assert!(unit.contains(&format!("--data-dir \"{}\" agent run", std::fs::canonicalize(s.d()).unwrap().display())), "{unit}");
}

fn user(args: &[&str]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/servers/user.mjs");
    let out = Command::new("node").arg(script).args(args).output().expect("node runs");
    assert!(out.status.success(), "the user helper failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the helper prints JSON")
}

/// Signs in to `handle` as the user (oidc.mjs's interactions, no browser).
fn sign_in(d: &Path, handle: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oauthdesk"))
        .args(["--data-dir", d.to_str().unwrap(), "authorize", handle, "--json", "--no-browser", "--timeout", "30"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).unwrap();
    user(&[url.trim()]);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// 60-second tokens of a public client, whose refresh token oidc-provider rotates on every
/// use and whose whole grant it revokes when a used one comes back: the agent renews them
/// round after round with no window open while `token` asks through the agent, and around
/// it, at the same time; every renewal works, so no refresh token was ever sent twice.
#[test]
fn sixty_second_tokens_are_renewed_by_the_agent_and_no_refresh_token_is_reused() {
    let idp = Server::start("oidc.mjs", &[("AT_TTL", "60")]);
    let s = Setup::new();
    TestProfile::custom_oauth2("rot", &idp, "native-public").add(s.d());
    sign_in(s.d(), "rot");
    let signed = json(s.cli(&["token", "rot", "--json", "--margin", "0"], &[("OAUTHDESK_AGENT", "off")]));
    assert!(signed["expires_in"].as_i64().unwrap() <= 60, "{signed}");
    let before = idp.hits("/token");
    s.start();
    // Alone (nobody asks), the agent renews at once and again a round (20 s) later.
    std::thread::sleep(Duration::from_secs(25));
    let alone = idp.hits("/token") - before;
    assert!(alone >= 2, "{alone} renewals by the agent alone in 25 s");
    let status = json(s.cli(&["agent", "status", "--json"], &[]));
    let next = rfc3339(&status["profiles"][0]["next_renewal"]);
    assert!(next <= chrono::Utc::now() + chrono::Duration::seconds(1), "a 60-second token is due every round: {status}");
    let before = idp.hits("/token");
    let began = Instant::now();
    let mut seen = std::collections::HashSet::new();
    let askers: Vec<std::thread::JoinHandle<Vec<Value>>> = [vec![], vec![("OAUTHDESK_AGENT", "off")]]
        .into_iter()
        .map(|env| {
            let (d, run) = (s.d().to_path_buf(), s.run.path().to_path_buf());
            std::thread::spawn(move || {
                let mut answers = Vec::new();
                while began.elapsed() < Duration::from_secs(22) {
                    let mut all = vec![("XDG_RUNTIME_DIR", run.to_str().unwrap())];
                    all.extend(env.iter().copied());
                    answers.push(json(oauthdesk_env(&d, &["token", "rot", "--json"], None, &all)));
                    std::thread::sleep(Duration::from_millis(700));
                }
                answers
            })
        })
        .collect();
    let answers: Vec<Value> = askers.into_iter().flat_map(|t| t.join().unwrap()).collect();
    for a in &answers {
        seen.insert(a["access_token"].as_str().unwrap().to_string());
        assert!(a["expires_in"].as_i64().unwrap() > 0, "{a}");
    }
    assert!(answers.iter().any(|a| a["source"] == "agent"), "the agent answered");
    let renewals = idp.hits("/token") - before;
    assert!(renewals >= 3, "{renewals} renewals in 22 s");
    assert!(seen.len() >= 3, "new tokens: {}", seen.len());
    let status = json(s.cli(&["agent", "status", "--json"], &[]));
    assert!(status["profiles"][0]["last_error"].is_null(), "{status}");
    // The grant is alive: a reused refresh token would have revoked it.
    let fresh = json(s.cli(&["token", "rot", "--json", "--force"], &[("OAUTHDESK_AGENT", "off")]));
    assert_eq!(fresh["source"], "network", "{fresh}");
    let history = json(s.cli(&["history", "rot", "--json", "--limit", "200"], &[]));
    let failed: Vec<&Value> = history.as_array().unwrap().iter().filter(|a| a["ok"] == false).collect();
    assert!(failed.is_empty(), "a renewal failed: {failed:?}");
}

/// The protocol as other front ends speak it: several requests on one connection, a request
/// it does not know answered as such, a line past 64 KiB refused and the connection closed.
#[test]
fn the_protocol_answers_line_by_line_within_its_bounds() {
    use std::io::{Read as _, Write as _};
    let standin = StandIn::start();
    let s = Setup::new();
    TestProfile::client_credentials("sess", &standin.url("/session/token"), "c").secret("s").add(s.d());
    s.start();
    let (_, socks) = s.sockets();
    let mut conn = std::os::unix::net::UnixStream::connect(&socks[0]).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut lines = BufReader::new(conn.try_clone().unwrap());
    let mut ask = |request: &str| -> Value {
        conn.write_all(format!("{request}\n").as_bytes()).unwrap();
        let mut line = String::new();
        lines.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };
    let token = ask(r#"{"op":"token","handle":"sess","margin_secs":30}"#);
    assert_eq!(token["ok"], true, "{token}");
    assert_eq!(token["token_type"], "Bearer");
    assert!(token["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    rfc3339(&token["expires_at"]);
    let status = ask(r#"{"op":"status"}"#);
    assert_eq!(status["profiles"][0]["handle"], "sess", "{status}");
    for bad in [r#"{"op":"exec","cmd":"id"}"#, "not json", r#"{"op":"token"}"#] {
        let answer = ask(bad);
        assert_eq!((answer["ok"].as_bool(), answer["error"]["code"].as_str()), (Some(false), Some("invalid_input")), "{bad}");
    }
    let unknown = ask(r#"{"op":"token","handle":"nope"}"#);
    assert_eq!((unknown["ok"].as_bool(), unknown["error"]["code"].as_str()), (Some(false), Some("not_found")), "{unknown}");
    let refused = ask(r#"{"op":"token","handle":"sess","to":"https://elsewhere.example.com/"}"#);
    assert_eq!(refused["error"]["code"], "host_not_allowed", "{refused}");

    let mut long = std::os::unix::net::UnixStream::connect(&socks[0]).unwrap();
    long.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = long.write_all(&vec![b'x'; 70 * 1024]);
    let mut bytes = Vec::new();
    let _ = long.read_to_end(&mut bytes);
    let answer = String::from_utf8_lossy(&bytes);
    assert!(answer.contains("longer than the agent reads"), "{answer}");
}

/// A terminate signal (what `systemctl --user stop` sends) stops the agent as `stop` does:
/// its socket removed, and the command line goes on without it.
#[test]
fn a_terminated_agent_stops_as_stop_does() {
    let standin = StandIn::start();
    let s = Setup::new();
    TestProfile::client_credentials("sess", &standin.url("/session/token"), "c").secret("s").add(s.d());
    s.start();
    let first = json(s.cli(&["token", "sess", "--json"], &[]));
    let pid = json(s.cli(&["agent", "status", "--json"], &[]))["pid"].as_u64().unwrap();
    assert!(Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap().success());
    let began = Instant::now();
    while !s.sockets().1.is_empty() {
        assert!(began.elapsed() < Duration::from_secs(10), "the socket is removed on a terminate signal");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(s.cli(&["agent", "status"], &[]).code, 3);
    let after = json(s.cli(&["token", "sess", "--json"], &[]));
    assert_eq!((after["source"].as_str(), &after["access_token"]), (Some("cache"), &first["access_token"]));
}

/// A renewal that fails is told: the status says why, and the desktop notification is sent
/// (here, with no notification service, it is logged).
#[test]
fn a_failed_renewal_is_in_the_status_and_notified() {
    let idp = Server::start("oidc.mjs", &[("CC_TTL", "60")]);
    let s = Setup::new();
    TestProfile::client_credentials("short", &idp.url("/token"), "cc-basic").secret("basic-secret").add(s.d());
    let token = json(s.cli(&["token", "short", "--json"], &[("OAUTHDESK_AGENT", "off")]));
    assert!(token["expires_in"].as_i64().unwrap() <= 60, "{token}");
    drop(idp);
    s.start();
    let began = Instant::now();
    let status = loop {
        let status = json(s.cli(&["agent", "status", "--json"], &[]));
        if !status["profiles"][0]["last_error"].is_null() {
            break status;
        }
        assert!(began.elapsed() < Duration::from_secs(15), "the first round renews at once: {status}");
        std::thread::sleep(Duration::from_millis(200));
    };
    let why = status["profiles"][0]["last_error"].as_str().unwrap();
    assert!(why.contains("127.0.0.1"), "the cause names the unreachable server: {why}");
    assert!(data_dir_text(s.d()).contains("short: the token could not be renewed"), "the notification was sent");
}
