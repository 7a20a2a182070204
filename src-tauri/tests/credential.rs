//! Git's credential helper and kubectl's credential plugin, with the real programs: `git
//! clone` and `git push` over HTTP to a server of this test's on 127.0.0.1 that serves a real
//! repository through `git http-backend` and demands Basic credentials whose password is a
//! token the token server issued; recovery after the token is revoked (Git erases, the next
//! get exchanges anew); a host the profile does not allow gets nothing. kubectl calls the
//! plugin and sends its token to a stand-in API server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;
#[path = "credential/git_server.rs"]
mod git_server;

use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine as _;
use common::{data_dir_text, json, oauthdesk, oauthdesk_env, HttpStub, Received, Server, StandIn, TestProfile};
use git_server::{honoured, GitServer};

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
