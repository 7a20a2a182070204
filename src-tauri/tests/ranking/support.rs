//! The ranking tests' world: the stand-in lifecycle provider (`/lifecycle/<provider>/…`) in
//! this process, and the real `oauthdesk` binary run under `faketime` with its clock a whole
//! number of days ahead, against a fresh data directory. Each profile is a public client
//! with PKCE that signs in through the CLI (`authorize --no-browser`), this process playing
//! the browser and typing the user's name.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use super::common::{http, StandIn, TestProfile};

/// The moved clocks need `faketime` (the Debian package of that name; `make test` installs it).
pub fn require_faketime() {
    let found = Command::new("faketime").args(["-f", "+1d", "true"]).status().is_ok_and(|s| s.success());
    assert!(found, "these tests need `faketime`: install the Debian package faketime (`make test` installs it)");
}

/// One desktop: a data directory, and the day its clock shows (0: today).
pub struct Desk {
    pub dir: tempfile::TempDir,
}

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Desk {
    pub fn new() -> Desk {
        Desk { dir: tempfile::tempdir().unwrap() }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `oauthdesk` with `args` under faketime, its clock `day` days ahead.
    pub fn command(&self, day: i64, args: &[&str]) -> Command {
        let mut c = Command::new("faketime");
        c.args(["-f", &format!("{day:+}d"), env!("CARGO_BIN_EXE_oauthdesk"), "--data-dir"])
            .arg(self.path())
            .args(args)
            // tokio's timers read the monotonic clock; only the wall clock moves.
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    pub fn run(&self, day: i64, args: &[&str]) -> Out {
        let out = self.command(day, args).output().unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn ok(&self, day: i64, args: &[&str]) -> Out {
        let out = self.run(day, args);
        assert_eq!(out.code, 0, "oauthdesk {args:?} on day {day}\nstdout: {}\nstderr: {}", out.stdout, out.stderr);
        out
    }

    /// A profile signing in at `provider`'s lifecycle paths of `s` as client `client`.
    pub fn add(&self, s: &StandIn, provider: &str, handle: &str, client: &str) {
        let p = TestProfile::new("custom-oauth2", handle)
            .set("authorize_url", s.url(&format!("/lifecycle/{provider}/authorize")))
            .set("token_url", s.url(&format!("/lifecycle/{provider}/token")))
            .set("client_id", client)
            .set("client_auth", "none")
            .set("scopes", "openid offline_access api")
            .set("provider", provider);
        p.add(self.path());
    }

    /// Signs in to `handle` as `user` on day `day`, the way a person does it: the CLI prints
    /// the authorization URL, the browser opens it and the user gives their name.
    pub fn sign_in(&self, day: i64, handle: &str, user: &str) {
        let mut child =
            self.command(day, &["authorize", handle, "--no-browser", "--json", "--timeout", "30"]).stdin(Stdio::null()).spawn().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut url = String::new();
        stdout.read_line(&mut url).unwrap();
        assert!(url.starts_with("http://127.0.0.1:"), "the first line is the authorization URL: {url}");
        let (status, page) = http::get(&format!("{}&login_hint={user}", url.trim()));
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "sign-in of {user} to {handle} on day {day}: browser saw {status} {page}\nstdout: {rest}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A refresh on day `day`, which must work.
    pub fn refresh(&self, day: i64, handle: &str) {
        self.ok(day, &["token", handle, "--force", "--json"]);
    }

    /// `diagnose --json` on day `day`.
    pub fn diagnose(&self, day: i64, handle: &str) -> Value {
        let out = self.run(day, &["diagnose", handle, "--json"]);
        serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("diagnose prints JSON: {}\n{}", out.stdout, out.stderr))
    }

    /// Another machine holding a copy of this desktop's data (its files copied; the store's key
    /// is the same keyring item).
    pub fn copy(&self) -> Desk {
        let other = Desk::new();
        copy_dir(self.path(), other.path());
        other
    }

    /// The grant facts the store holds for `handle`, oldest first: (at, ok, refresh, sign_in,
    /// presented, received, client, subject, path).
    pub fn facts(&self, handle: &str) -> Vec<Fact> {
        let db = rusqlite::Connection::open(self.path().join("oauthdesk.sqlite3")).unwrap();
        let mut stmt = db
            .prepare(
                "SELECT f.at, f.ok, f.refresh, f.sign_in, f.presented_fp, f.received_fp, f.client_id, f.subject, f.path
                   FROM grant_facts f JOIN profiles p ON p.id = f.profile_id WHERE p.handle = ?1 ORDER BY f.id",
            )
            .unwrap();
        let rows = stmt
            .query_map([handle], |r| {
                Ok(Fact {
                    at: r.get(0)?,
                    ok: r.get(1)?,
                    refresh: r.get(2)?,
                    sign_in: r.get(3)?,
                    presented: r.get(4)?,
                    received: r.get(5)?,
                    client: r.get(6)?,
                    subject: r.get(7)?,
                    path: r.get(8)?,
                })
            })
            .unwrap();
        rows.map(Result::unwrap).collect()
    }
}

#[derive(Debug, Clone)]
pub struct Fact {
    pub at: chrono::DateTime<chrono::Utc>,
    pub ok: bool,
    pub refresh: bool,
    pub sign_in: bool,
    pub presented: Option<String>,
    pub received: Option<String>,
    pub client: String,
    pub subject: Option<String>,
    pub path: String,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Moves the stand-in's clock to `day` days ahead of this machine's.
pub fn provider_day(s: &StandIn, day: i64) {
    let (status, body) = http::post_form(&s.url(&format!("/__lifecycle/clock?days={day}")), None, &[]);
    assert_eq!(status, 200, "{body}");
}

/// The user changes their password at the provider.
pub fn change_password(s: &StandIn, user: &str) -> u64 {
    let (status, body) = http::post_form(&s.url(&format!("/__lifecycle/password?user={user}")), None, &[]);
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["ended"].as_u64().unwrap()
}

/// The next refresh's answer is lost on its way back, after the provider rotated the token.
pub fn lose_next_answer(s: &StandIn) {
    let (status, body) = http::post_form(&s.url("/__lifecycle/lose-next"), None, &[]);
    assert_eq!(status, 200, "{body}");
}

/// The stand-in's families: why each ended (`None`: alive), in the order they began.
pub fn families(s: &StandIn) -> Vec<Value> {
    let (_, body) = http::get(&s.url("/__lifecycle/families"));
    serde_json::from_str::<Value>(&body).unwrap().as_array().unwrap().clone()
}

/// The ranking of a diagnosis, checked for shape: (cause, verdict, evidence) in its order.
pub fn ranking(d: &Value) -> Vec<(String, String, Vec<String>)> {
    assert_eq!(d["ok"], false, "{d}");
    let list = d["ranking"].as_array().unwrap_or_else(|| panic!("no ranking: {d}"));
    assert!(!list.is_empty(), "the failure is ranked: {d}");
    assert!(d["knowledge"].is_string(), "the answer is explained by an entry: {d}");
    assert!(list.iter().all(|r| r["entry"] == d["knowledge"]), "each cause names the entry it ranks: {d}");
    list.iter()
        .map(|r| {
            let evidence: Vec<String> = r["evidence"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_string()).collect();
            assert!(!evidence.is_empty() && evidence.iter().all(|e| !e.is_empty()), "every cause has its evidence: {r}");
            assert!(["likely", "possible", "ruled_out"].contains(&r["verdict"].as_str().unwrap()), "{r}");
            (r["cause"].as_str().unwrap().to_string(), r["verdict"].as_str().unwrap().to_string(), evidence)
        })
        .collect()
}

/// The verdict and evidence of `cause` in `ranked`.
pub fn verdict<'a>(ranked: &'a [(String, String, Vec<String>)], cause: &str) -> (&'a str, &'a [String]) {
    let r = ranked.iter().find(|r| r.0 == cause).unwrap_or_else(|| panic!("{cause} is ranked: {ranked:?}"));
    (r.1.as_str(), r.2.as_slice())
}

/// `cause` is ranked first, alone as likely, with evidence that says `says`.
pub fn first(ranked: &[(String, String, Vec<String>)], cause: &str, says: &str, context: &str) {
    assert_eq!((ranked[0].0.as_str(), ranked[0].1.as_str()), (cause, "likely"), "{context}: {ranked:#?}");
    assert!(ranked[0].2.iter().any(|e| e.contains(says)), "{context}: the evidence says '{says}': {:?}", ranked[0].2);
    let others: Vec<_> = ranked.iter().skip(1).filter(|r| r.1 == "likely").collect();
    assert!(others.is_empty(), "{context}: nothing else is likely: {others:#?}");
}
