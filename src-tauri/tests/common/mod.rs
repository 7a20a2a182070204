//! Shared by the integration tests: running the real `oauthdesk` binary against a temporary
//! data directory, and starting the local servers (npm's oidc-provider, the stand-in) that
//! the connection tests talk to on 127.0.0.1. Each server is stopped when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

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
