//! Git's credential helper and kubectl's credential plugin, with the real programs: `git
//! clone` and `git push` over HTTP to a server of this test's on 127.0.0.1 that serves a real
//! repository through `git http-backend` and demands Basic credentials whose password is a
//! token the token server issued; recovery after the token is revoked (Git erases, the next
//! get exchanges anew); a host the profile does not allow gets nothing. kubectl calls the
//! plugin and sends its token to a stand-in API server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::{data_dir_text, json, oauthdesk, oauthdesk_env, HttpStub, Received, Server, StandIn, TestProfile};

/// Whether the token server (the stand-in's session scenario) still honours `token`.
fn honoured(standin_port: u16, token: &str) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", standin_port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let req = format!("GET /session/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n");
    let _ = s.write_all(req.as_bytes());
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

/// Every request's path and Authorization header (None: sent without).
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A Git server on 127.0.0.1: `git http-backend` (CGI) over the repositories in `root`, for
/// requests whose Basic password the token server honours. Stops when dropped, and after 120 s.
struct GitServer {
    port: u16,
    stop: Arc<AtomicBool>,
    seen: Seen,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl GitServer {
    fn start(root: PathBuf, standin_port: u16) -> GitServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let seen: Seen = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stop, seen) = (stop.clone(), seen.clone());
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_secs(120);
                while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                    match listener.accept() {
                        Ok((conn, _)) => serve(conn, &root, standin_port, &seen),
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        GitServer { port, stop, seen, thread: Some(thread) }
    }

    fn url(&self, host: &str) -> String {
        format!("http://{host}:{}/repo.git", self.port)
    }
}

impl Drop for GitServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One request: read it (a body by length or chunked), check its credentials, run the CGI.
fn serve(conn: TcpStream, root: &Path, standin_port: u16, seen: &Mutex<Vec<(String, Option<String>)>>) {
    conn.set_nonblocking(false).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("").to_string());
    let mut headers: Vec<(String, String)> = Vec::new();
    for _ in 0..100 {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut body = Vec::new();
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        for _ in 0..100_000 {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
            let mut chunk = vec![0u8; n + 2];
            reader.read_exact(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body).unwrap();
    }
    let auth = header("authorization");
    seen.lock().unwrap().push((target.clone(), auth.clone()));
    let mut out = conn;
    let user = auth
        .as_deref()
        .and_then(|a| a.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|up| up.split_once(':').map(|(u, p)| (u.to_string(), p.to_string())))
        .filter(|(_, token)| honoured(standin_port, token));
    let Some((user, _)) = user else {
        let _ = out.write_all(
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    };
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut cgi = Command::new("git")
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("CONTENT_TYPE", header("content-type").unwrap_or_default())
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("HTTP_CONTENT_ENCODING", header("content-encoding").unwrap_or_default())
        .env("GIT_PROTOCOL", header("git-protocol").unwrap_or_default())
        .env("REMOTE_USER", user)
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = cgi.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let output = cgi.wait_with_output().unwrap();
    let _ = feeder.join();
    let raw = output.stdout;
    let split =
        raw.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, 4)).or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let (head_end, sep) = split.unwrap_or((0, 0));
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let body = &raw[head_end + sep..];
    let mut status = "200 OK".to_string();
    let mut response = String::new();
    for l in head.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match l.split_once(':') {
            Some((k, v)) if k.eq_ignore_ascii_case("status") => status = v.trim().to_string(),
            _ => response.push_str(&format!("{l}\r\n")),
        }
    }
    let _ = out.write_all(format!("HTTP/1.1 {status}\r\n{response}Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()).as_bytes());
    let _ = out.write_all(body);
}

/// `git` with no configuration but what a test gives (`-c`), never asking on a terminal.
fn git(home: &Path, cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args(args)
        .current_dir(cwd)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "")
        .env("SSH_ASKPASS", "")
        .env("OAUTHDESK_LOG", "trace")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(out: std::process::Output) -> std::process::Output {
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    out
}

#[test]
fn git_clones_and_pushes_through_the_helper_and_recovers_after_a_revocation() {
    let standin = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let home = dir.path().join("home");
    let root = dir.path().join("srv");
    for p in [&d, &home, &root] {
        std::fs::create_dir_all(p).unwrap();
    }
    let server = GitServer::start(root.clone(), standin.port);
    TestProfile::client_credentials("git", &standin.url("/session/token"), "c")
        .secret("s")
        .set("allowed_hosts", format!("127.0.0.1:{}", server.port))
        .add(&d);
    // The repository the server serves, with one commit.
    ok(git(&home, &root, &["init", "--bare", "-q", "-b", "main", "repo.git"]));
    ok(git(&home, &root, &["-C", "repo.git", "config", "http.receivepack", "true"]));
    let seed = dir.path().join("seed");
    ok(git(&home, dir.path(), &["init", "-q", "-b", "main", seed.to_str().unwrap()]));
    std::fs::write(seed.join("README"), "hello\n").unwrap();
    ok(git(&home, &seed, &["add", "README"]));
    ok(git(&home, &seed, &["commit", "-qm", "first"]));
    ok(git(&home, &seed, &["push", "-q", root.join("repo.git").to_str().unwrap(), "main"]));

    let helper = format!("credential.helper=!\"{}\" --data-dir \"{}\" credential git git", env!("CARGO_BIN_EXE_oauthdesk"), d.display());
    let with_helper = |cwd: &Path, args: &[&str]| {
        let mut all = vec!["-c", "credential.helper=", "-c", helper.as_str()];
        all.extend_from_slice(args);
        git(&home, cwd, &all)
    };
    // Without the helper: refused.
    let clone = dir.path().join("clone");
    let refused = git(&home, dir.path(), &["clone", "-q", &server.url("127.0.0.1"), clone.to_str().unwrap()]);
    assert!(!refused.status.success(), "the server demands a token");

    ok(with_helper(dir.path(), &["clone", "-q", &server.url("127.0.0.1"), clone.to_str().unwrap()]));
    assert_eq!(std::fs::read_to_string(clone.join("README")).unwrap(), "hello\n");
    let token = json(oauthdesk(&d, &["token", "git", "--json"], None));
    let first = token["access_token"].as_str().unwrap().to_string();
    let basic = |t: &str| format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("oauth2:{t}")));
    assert!(server.seen.lock().unwrap().iter().any(|(_, a)| a.as_deref() == Some(basic(&first).as_str())), "the token, as oauth2:TOKEN");

    let commit = |n: u32| {
        std::fs::write(clone.join(format!("f{n}")), format!("{n}\n")).unwrap();
        ok(git(&home, &clone, &["add", "."]));
        ok(git(&home, &clone, &["commit", "-qm", &format!("change {n}")]));
    };
    commit(1);
    ok(with_helper(&clone, &["push", "-q", "origin", "main"]));
    assert_eq!(standin.hits("/session/token"), 1, "one exchange: the helper reused the cached token");

    // The provider ends every session: Git is refused, erases, and the next push gets a new token.
    standin.revoke_sessions();
    commit(2);
    let failed = with_helper(&clone, &["push", "-q", "origin", "main"]);
    assert!(!failed.status.success(), "the revoked token is refused");
    ok(with_helper(&clone, &["push", "-q", "origin", "main"]));
    assert_eq!(standin.hits("/session/token"), 2, "erase set the refused token aside; get made one new exchange");
    let log = ok(git(&home, &root.join("repo.git"), &["log", "--format=%s", "main"]));
    assert_eq!(String::from_utf8_lossy(&log.stdout), "change 2\nchange 1\nfirst\n");

    // A host the profile does not allow (the same server by another name): nothing handed over.
    let other = dir.path().join("other");
    let before = server.seen.lock().unwrap().len();
    let denied = with_helper(dir.path(), &["clone", "-q", &server.url("localhost"), other.to_str().unwrap()]);
    assert!(!denied.status.success());
    assert!(
        String::from_utf8_lossy(&denied.stderr).contains("not on the profile's allowed hosts"),
        "{}",
        String::from_utf8_lossy(&denied.stderr)
    );
    assert!(server.seen.lock().unwrap()[before..].iter().all(|(_, a)| a.is_none()), "no credential reached the host");
    let now = json(oauthdesk(&d, &["token", "git", "--json"], None))["access_token"].as_str().unwrap().to_string();
    let written = data_dir_text(&d);
    for t in [&first, &now] {
        assert!(!written.contains(t.as_str()), "no token in the store or the logs");
    }
}

#[test]
fn the_helper_speaks_gits_protocol() {
    let standin = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("h", &standin.url("/session/token"), "c").secret("s").add(d);
    let host = format!("127.0.0.1:{}", standin.port);
    let get = oauthdesk(
        d,
        &["credential", "git", "h", "get"],
        Some(&format!("capability[]=authtype\nprotocol=http\nhost={host}\npath=a.git\n\n")),
    );
    assert_eq!(get.code, 0, "{}", get.stderr);
    let token = json(oauthdesk(d, &["token", "h", "--json"], None));
    let expiry = chrono::DateTime::parse_from_rfc3339(token["expires_at"].as_str().unwrap()).unwrap().timestamp();
    assert_eq!(
        get.stdout,
        format!("username=oauth2\npassword={}\npassword_expiry_utc={expiry}\n", token["access_token"].as_str().unwrap())
    );
    // The user name from Git's request, else --username.
    let named = oauthdesk(d, &["credential", "git", "h", "get"], Some(&format!("protocol=http\nhost={host}\nusername=me\n")));
    assert!(named.stdout.starts_with("username=me\n"), "{}", named.stdout);
    let named =
        oauthdesk(d, &["credential", "git", "h", "get", "--username", "x-access-token"], Some(&format!("protocol=http\nhost={host}\n")));
    assert!(named.stdout.starts_with("username=x-access-token\n"), "{}", named.stdout);
    // Another host, port or protocol: no answer on standard output (Git asks its next helper).
    for request in [
        format!("protocol=http\nhost=127.0.0.1:{}\n", standin.port + 1),
        "protocol=https\nhost=example.com\n".into(),
        format!("protocol=ssh\nhost={host}\n"),
        "\n".into(),
    ] {
        let run = oauthdesk(d, &["credential", "git", "h", "get"], Some(&request));
        assert_eq!(run.stdout, "", "{request}");
    }
    // store is ignored; an erase of another token keeps the cached one; of this one, sets it aside.
    assert_eq!(oauthdesk(d, &["credential", "git", "h", "store"], Some("protocol=http\npassword=x\n")).code, 0);
    let hits = standin.hits("/session/token");
    let erase = |password: &str| {
        oauthdesk(d, &["credential", "git", "h", "erase"], Some(&format!("protocol=http\nhost={host}\npassword={password}\n")))
    };
    assert_eq!(erase("an-older-token-0123").code, 0);
    assert_eq!(json(oauthdesk(d, &["token", "h", "--json"], None))["source"], "cache");
    assert_eq!(erase(token["access_token"].as_str().unwrap()).code, 0);
    let again = oauthdesk(d, &["credential", "git", "h", "get"], Some(&format!("protocol=http\nhost={host}\n")));
    assert!(again.stdout.contains("password="), "{}", again.stderr);
    assert_eq!(standin.hits("/session/token"), hits + 1, "a new exchange after the erase");
}

/// The ExecCredential's shape, as client.authentication.k8s.io/v1 publishes it: apiVersion,
/// kind, status.token (string), status.expirationTimestamp (RFC 3339), nothing else.
fn check_exec_credential(v: &serde_json::Value, version: &str) {
    let keys = |o: &serde_json::Value| o.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(v), ["apiVersion", "kind", "status"]);
    assert_eq!(v["apiVersion"], version);
    assert_eq!(v["kind"], "ExecCredential");
    assert_eq!(keys(&v["status"]), ["expirationTimestamp", "token"]);
    assert!(v["status"]["token"].as_str().is_some_and(|t| !t.is_empty()));
    chrono::DateTime::parse_from_rfc3339(v["status"]["expirationTimestamp"].as_str().unwrap()).unwrap();
}

#[test]
fn kubectl_gets_the_token_from_the_plugin() {
    let standin = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let standin_port = standin.port;
    let api = HttpStub::start(move |req: &Received, _| {
        let token = req.headers.iter().find(|(k, _)| k == "authorization").and_then(|(_, v)| v.strip_prefix("Bearer "));
        match token.filter(|t| honoured(standin_port, t)) {
            Some(_) => (200, r#"{"kind":"APIVersions","versions":["v1"]}"#.into(), Vec::new()),
            None => (401, r#"{"kind":"Status","code":401}"#.into(), Vec::new()),
        }
    });
    TestProfile::client_credentials("kube", &standin.url("/session/token"), "c")
        .secret("s")
        .set("allowed_hosts", format!("127.0.0.1:{}", api.stub.port))
        .add(d);
    let run = oauthdesk(d, &["credential", "kube", "kube"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    check_exec_credential(&serde_json::from_str(&run.stdout).unwrap(), "client.authentication.k8s.io/v1");
    // kubectl's cluster info names the server: only an allowed one gets the token.
    let info = |server: &str, version: &str| {
        format!(r#"{{"apiVersion":"{version}","kind":"ExecCredential","spec":{{"cluster":{{"server":"{server}"}},"interactive":false}}}}"#)
    };
    let beta = oauthdesk_env(
        d,
        &["credential", "kube", "kube"],
        None,
        &[("KUBERNETES_EXEC_INFO", &info(&api.url(""), "client.authentication.k8s.io/v1beta1"))],
    );
    check_exec_credential(&serde_json::from_str(&beta.stdout).unwrap(), "client.authentication.k8s.io/v1beta1");
    let foreign = oauthdesk_env(
        d,
        &["credential", "kube", "kube"],
        None,
        &[("KUBERNETES_EXEC_INFO", &info("https://evil.example.net", "client.authentication.k8s.io/v1"))],
    );
    assert_eq!((foreign.code, foreign.stdout.as_str()), (1, ""), "{}", foreign.stderr);

    if Command::new("kubectl").arg("version").arg("--client").output().is_err() {
        eprintln!("kubectl is not installed: the plugin's answer was checked against the published schema only");
        return;
    }
    // kubectl sends an exec plugin's token over TLS only: an https API server of the tests'.
    let tls = Server::start("kube-api.mjs", &[("VALIDATE_URL", &standin.url("/session/me"))]);
    let server = format!("https://127.0.0.1:{}", tls.port);
    common::ok(oauthdesk(d, &["edit", "kube", "--set", &format!("allowed_hosts=127.0.0.1:{}", tls.port), "--confirm-origins"], None));
    let cert = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/servers/certs/self-signed.crt");
    let config = d.join("kubeconfig");
    std::fs::write(
        &config,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\n    certificate-authority: {}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      args: [\"--data-dir\", \"{}\", \"credential\", \"kube\", \"kube\"]\n      interactiveMode: Never\n      provideClusterInfo: true\n",
            cert.display(),
            env!("CARGO_BIN_EXE_oauthdesk"),
            d.display()
        ),
    )
    .unwrap();
    let kubectl = || {
        Command::new("kubectl").args(["--kubeconfig", config.to_str().unwrap(), "get", "--raw", "/api"]).env("HOME", d).output().unwrap()
    };
    let out = kubectl();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("APIVersions"), "the server honoured the plugin's token");
    // The profile no longer allows the server: kubectl gets no token, and is refused.
    common::ok(oauthdesk(d, &["edit", "kube", "--set", "allowed_hosts=api.example.com", "--confirm-origins"], None));
    let out = kubectl();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not on the profile's allowed hosts"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
