//! Shared by the integration tests: running the real `oauthdesk` binary against a temporary
//! data directory, the test profiles they create (`TestProfile`), and every local server they
//! talk to on 127.0.0.1: npm's oidc-provider and the stand-in (`Server`), and the bare TCP
//! stubs (`Stub`: a silent server, a proxy that wants credentials). Each server is stopped
//! when dropped.
// Test helpers may index the JSON and text they read: a wrong index is a failed test.
#![allow(dead_code, clippy::indexing_slicing)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Map, Value};

/// Every spelling of a secret, shared with the core's tests of the redactor.
#[path = "../../../crates/core/tests/support/spellings.rs"]
pub mod spellings;

pub mod echo;

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

/// A test server run by node: started on an ephemeral 127.0.0.1 port, stopped on drop.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    /// Starts `tests/servers/<script>` and waits (at most 20 s) for its READY line.
    pub fn start(script: &str, env: &[(&str, &str)]) -> Server {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests");
        assert!(dir.join("node_modules").exists(), "tests/node_modules is missing: run `make test` (it runs npm ci in tests/)");
        let mut child = Command::new("node")
            .arg(dir.join("servers").join(script))
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // Keep draining after READY: a server whose stdout closes dies on its next write.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line.strip_prefix("READY ") {
                    let _ = tx.send(port.trim().parse::<u16>().ok());
                }
            }
        });
        let port = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(Some(port)) => port,
            _ => {
                let _ = child.kill();
                panic!("{script} did not start within 20 s");
            }
        };
        Server { child, port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// How many requests each path has received.
    pub fn stats(&self) -> Value {
        let out = Command::new("node")
            .args(["-e", &format!("fetch('{}').then(r => r.text()).then(t => process.stdout.write(t))", self.url("/__stats"))])
            .output()
            .expect("node runs");
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }

    pub fn hits(&self, path: &str) -> u64 {
        self.stats()[path].as_u64().unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take()); // the servers stop when their stdin closes
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A profile for a test: the template, handle, optional label, fields and secret, created
/// through the CLI (`add`, `try_add`) or sent as the window's `NewProfile` JSON (`json`).
#[derive(Clone, Debug)]
pub struct TestProfile {
    template: String,
    handle: String,
    label: Option<String>,
    fields: Vec<(String, String)>,
    secret: Option<String>,
}

impl TestProfile {
    pub fn new(template: &str, handle: &str) -> TestProfile {
        TestProfile { template: template.into(), handle: handle.into(), label: None, fields: Vec::new(), secret: None }
    }

    /// `client-credentials` against `token_url`.
    pub fn client_credentials(handle: &str, token_url: &str, client_id: &str) -> TestProfile {
        TestProfile::new("client-credentials", handle).set("token_url", token_url).set("client_id", client_id)
    }

    /// `salesforce-client-credentials` for the org at `my_domain` (e.g. the stand-in's `url("")`).
    pub fn salesforce_client_credentials(handle: &str, my_domain: &str, consumer_key: &str) -> TestProfile {
        TestProfile::new("salesforce-client-credentials", handle).set("my_domain", my_domain).set("client_id", consumer_key)
    }

    /// `custom-oauth2` (authorization code) against npm's oidc-provider (`oidc.mjs`), with
    /// revocation and a refresh token (`offline_access`).
    pub fn custom_oauth2(handle: &str, idp: &Server, client_id: &str) -> TestProfile {
        TestProfile::new("custom-oauth2", handle)
            .set("authorize_url", idp.url("/auth"))
            .set("token_url", idp.url("/token"))
            .set("revoke_url", idp.url("/token/revocation"))
            .set("client_id", client_id)
            .set("scopes", "openid offline_access api")
    }

    /// Sets a field, replacing an earlier value of the same field.
    pub fn set(mut self, field: &str, value: impl Into<String>) -> TestProfile {
        let value = value.into();
        match self.fields.iter_mut().find(|(name, _)| name == field) {
            Some(entry) => entry.1 = value,
            None => self.fields.push((field.into(), value)),
        }
        self
    }

    pub fn label(mut self, label: &str) -> TestProfile {
        self.label = Some(label.into());
        self
    }

    /// The client secret, passed on standard input (`--secret-stdin`) exactly as given.
    pub fn secret(mut self, secret: impl Into<String>) -> TestProfile {
        self.secret = Some(secret.into());
        self
    }

    /// The arguments of `oauthdesk add` for this profile.
    pub fn add_args(&self) -> Vec<String> {
        let mut args = vec!["add".to_string(), self.template.clone(), "--handle".into(), self.handle.clone()];
        if let Some(label) = &self.label {
            args.extend(["--label".into(), label.clone()]);
        }
        for (field, value) in &self.fields {
            args.extend(["--set".into(), format!("{field}={value}")]);
        }
        if self.secret.is_some() {
            args.push("--secret-stdin".into());
        }
        args
    }

    /// Runs `oauthdesk add` and asserts that it succeeded.
    pub fn add(&self, data_dir: &Path) -> Run {
        ok(self.try_add(data_dir))
    }

    /// Runs `oauthdesk add` whatever comes of it, for tests that expect a failure.
    pub fn try_add(&self, data_dir: &Path) -> Run {
        self.try_add_env(data_dir, &[])
    }

    /// `try_add` with extra environment variables.
    pub fn try_add_env(&self, data_dir: &Path, env: &[(&str, &str)]) -> Run {
        let args = self.add_args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        oauthdesk_env(data_dir, &args, self.secret.as_deref(), env)
    }

    /// The profile as the window sends it (`NewProfile`): `{template, handle, label?, fields,
    /// client_secret?}`.
    pub fn json(&self) -> Value {
        let fields: Map<String, Value> = self.fields.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
        let mut p = serde_json::json!({ "template": self.template, "handle": self.handle, "fields": fields });
        if let Some(label) = &self.label {
            p["label"] = Value::from(label.as_str());
        }
        if let Some(secret) = &self.secret {
            p["client_secret"] = Value::from(secret.as_str());
        }
        p
    }
}

/// A port on 127.0.0.1 that nothing listens on (bound and closed again at once).
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A TCP server on 127.0.0.1 that hands each connection to `on_conn`, for at most 30 s;
/// dropping it stops it.
pub struct Stub {
    pub port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Stub {
    pub fn start(mut on_conn: impl FnMut(TcpStream) + Send + 'static) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                for _ in 0..3000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    if let Ok((conn, _)) = listener.accept() {
                        on_conn(conn);
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            })
        };
        Stub { port, stop, thread: Some(thread) }
    }

    /// A server that accepts connections and never answers (they close when it stops).
    pub fn silent() -> Stub {
        let mut held = Vec::new();
        Stub::start(move |conn| held.push(conn))
    }

    /// A stand-in proxy that answers every CONNECT with 407.
    pub fn proxy_wanting_credentials() -> Stub {
        Stub::start(|mut conn| {
            conn.set_nonblocking(false).unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n",
            );
        })
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
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

/// One request an [`HttpStub`] received.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    /// The whole request as text (what a scan for a credential searches).
    pub fn text(&self) -> String {
        let headers: Vec<String> = self.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!("{} {}\n{}\n\n{}", self.method, self.path, headers.join("\n"), self.body)
    }
}

/// A plain HTTP server on 127.0.0.1 that records every request and answers each with what
/// `answer` says (status, JSON body, extra headers); one request per connection. Stops when
/// dropped (and after 30 s at most, like [`Stub`]).
pub struct HttpStub {
    pub stub: Stub,
    pub received: Arc<std::sync::Mutex<Vec<Received>>>,
}

impl HttpStub {
    pub fn start(answer: impl Fn(&Received, u16) -> (u16, String, Vec<(String, String)>) + Send + 'static) -> HttpStub {
        let received = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = received.clone();
        let port = Arc::new(std::sync::atomic::AtomicU16::new(0));
        let own_port = port.clone();
        let stub = Stub::start(move |mut conn| {
            conn.set_nonblocking(false).unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let mut parts = line.split_whitespace();
            let (method, path) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = h.trim_end().split_once(':') {
                    headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                }
            }
            let len = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0usize);
            let mut body = vec![0u8; len];
            let _ = reader.read_exact(&mut body);
            let req = Received { method, path, headers, body: String::from_utf8_lossy(&body).into_owned() };
            let (status, body, extra) = answer(&req, own_port.load(Ordering::Relaxed));
            seen.lock().unwrap().push(req);
            let mut head =
                format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n", body.len());
            for (k, v) in extra {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            let _ = conn.write_all(format!("{head}\r\n{body}").as_bytes());
        });
        port.store(stub.port, Ordering::Relaxed);
        HttpStub { stub, received }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.stub.port)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
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
