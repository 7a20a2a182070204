//! OpenBao's server for the tests of secrets by reference (`bao server -dev`, KV version 2
//! at `secret/`), and the scan that no value read ever appears in an output or the data
//! directory.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{closed_port, data_dir_text, oauthdesk_env, Run};

/// The `bao` program: `BAO_BIN`, else the project's test environment (`make test` makes it
/// from scripts/requirements-test.txt), else the PATH's.
pub fn bao_program() -> PathBuf {
    if let Some(p) = std::env::var_os("BAO_BIN") {
        return PathBuf::from(p);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv-test/bin/bao");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("bao")
}

/// A dev-mode OpenBao on 127.0.0.1 (in memory, unsealed, KV v2 at `secret/`), stopped on drop;
/// with `-dev-tls`, over https with a CA of its own (`ca`, a PEM file).
pub struct Bao {
    child: Child,
    pub addr: String,
    pub root: String,
    pub ca: Option<String>,
    _home: tempfile::TempDir,
}

impl Bao {
    pub fn start() -> Bao {
        Bao::with(false)
    }

    pub fn with(tls: bool) -> Bao {
        let home = tempfile::tempdir().unwrap();
        let port = closed_port();
        let root = "root-token-for-the-tests".to_string();
        let mut args = vec![
            "server".to_string(),
            "-dev".into(),
            format!("-dev-listen-address=127.0.0.1:{port}"),
            format!("-dev-root-token-id={root}"),
        ];
        if tls {
            args.extend(["-dev-tls".into(), format!("-dev-tls-cert-dir={}", home.path().display())]);
        }
        let child = Command::new(bao_program())
            .args(&args)
            .env("HOME", home.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("bao runs: run `make .venv-test/bin/bao` (or set BAO_BIN)");
        let scheme = if tls { "https" } else { "http" };
        let ca = tls.then(|| home.path().join("vault-ca.pem").display().to_string());
        let bao = Bao { child, addr: format!("{scheme}://127.0.0.1:{port}"), root, ca, _home: home };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !bao.command(&["status"]).status().is_ok_and(|s| s.success()) {
            assert!(Instant::now() < deadline, "bao server -dev did not start within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        bao
    }

    /// `bao ARGS` as the root token, quiet.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(bao_program());
        c.args(args).env("VAULT_ADDR", &self.addr).env("VAULT_TOKEN", &self.root).env("HOME", self._home.path());
        if let Some(ca) = &self.ca {
            c.env("VAULT_CACERT", ca);
        }
        c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        c
    }

    /// Runs `bao ARGS` as the root token; returns its standard output, trimmed.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = self.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).output().unwrap();
        assert!(out.status.success(), "bao {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A token that may read `secret/data/app/*` and nothing else.
    pub fn app_token(&self) -> String {
        self.token_for("app")
    }

    /// A token that may read `secret/data/PREFIX/*` and nothing else.
    pub fn token_for(&self, prefix: &str) -> String {
        let policy = self._home.path().join(format!("{prefix}.hcl"));
        std::fs::write(&policy, format!("path \"secret/data/{prefix}/*\" {{ capabilities = [\"read\"] }}\n")).unwrap();
        self.cli(&["policy", "write", prefix, policy.to_str().unwrap()]);
        self.cli(&["token", "create", &format!("-policy={prefix}"), "-field=token"])
    }
}

impl Drop for Bao {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every output of every run, for the scan.
#[derive(Default)]
pub struct Seen(pub String);

impl Seen {
    pub fn run(&mut self, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
        let run = oauthdesk_env(dir, args, None, env);
        self.0.push_str(&run.stdout);
        self.0.push_str(&run.stderr);
        run
    }

    pub fn assert_never(&self, dir: &Path, values: &[&str]) {
        let stored = data_dir_text(dir);
        for v in values {
            assert!(!self.0.contains(v), "a value read appeared in an output");
            assert!(!stored.contains(v), "a value read appeared in the data directory");
        }
    }
}
