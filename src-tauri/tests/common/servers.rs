//! The local servers the tests talk to on 127.0.0.1, each stopped when dropped: npm's
//! oidc-provider run by node ([`Server`]), the sandbox's test scenarios in this process
//! ([`StandIn`]), and bare TCP stubs ([`Stub`]: a silent server, a proxy that wants
//! credentials; [`HttpStub`]: one that records every request).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Duration;

use oauthdesk_sandbox::standin;
use serde_json::Value;

/// A test server run by node (npm's oidc-provider, `oidc.mjs`, or the simulated user,
/// `user.mjs`): started on an ephemeral 127.0.0.1 port, stopped on drop.
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
        super::http::get(&self.url("/__stats")).1.parse().unwrap_or(Value::Null)
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

/// The sandbox's test scenarios (`oauthdesk_sandbox::standin`) in this process, on a runtime
/// of their own: Salesforce's exact answers, misbehaving and echoing endpoints, every
/// knowledge-base entry's answer at its stage, https and mutual TLS; the practice provider
/// behind them. Stopped when dropped.
pub struct StandIn {
    // Dropped first: the scenarios stop before their runtime goes.
    inner: standin::StandIn,
    _runtime: tokio::runtime::Runtime,
    pub port: u16,
}

impl StandIn {
    /// Plain http on an ephemeral port.
    pub fn start() -> StandIn {
        StandIn::with(standin::Options::default())
    }

    /// https with a certificate no system trusts (`tests/servers/certs`).
    pub fn self_signed() -> StandIn {
        let certs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/servers/certs");
        let read = |name: &str| std::fs::read_to_string(certs.join(name)).unwrap();
        StandIn::with(standin::Options {
            tls: standin::Tls::Server { cert: read("self-signed.crt"), key: read("self-signed.key") },
            ..standin::Options::default()
        })
    }

    /// https with mutual TLS: the server's certificate and key and the CA whose client
    /// certificates it trusts, as PEM files; `strict` ends a handshake without one.
    pub fn mutual_tls(cert: &str, key: &str, ca: &str, strict: bool) -> StandIn {
        let read = |path: &str| std::fs::read_to_string(path).unwrap();
        StandIn::with(standin::Options {
            tls: standin::Tls::Mutual { cert: read(cert), key: read(key), ca: read(ca), strict },
            ..standin::Options::default()
        })
    }

    /// With the certificates (PEM) uploaded to the Salesforce app for the JWT bearer flow.
    pub fn with_salesforce_certs(pem: &str) -> StandIn {
        StandIn::with(standin::Options { salesforce_certs: pem.into(), ..standin::Options::default() })
    }

    pub fn with(options: standin::Options) -> StandIn {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let inner = runtime.block_on(standin::StandIn::start(options)).expect("the test scenarios start");
        StandIn { port: inner.port(), inner, _runtime: runtime }
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// How many requests `path` has received.
    pub fn hits(&self, path: &str) -> u64 {
        self.inner.hits(path)
    }

    /// Ends every session of `/session/token`'s tokens, as an admin revoking them would.
    pub fn revoke_sessions(&self) {
        self.inner.revoke_sessions();
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
