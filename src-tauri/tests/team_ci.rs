//! A team's connection health checked as CI checks it: the real `oauthdesk test --all --team
//! DIR` in an environment with nothing but PATH, a fresh empty HOME and TMPDIR, and a D-Bus
//! address that leads nowhere (so any keyring or D-Bus session would fail the run), against
//! a generated team folder of many profiles whose secrets come by reference (OpenBao's
//! `bao server -dev` for `vault:`, the environment for `env:`) and npm's oidc-provider for
//! the tokens. Checked: the exit status, the JSON, the JUnit report (parsed: counts, each
//! failure's cause and the entry that explains it), a rotated and a sealed vault, that the
//! run leaves nothing behind, and that no secret or token appears in any output or file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::bao::Bao;
use common::{closed_port, Run, Server};
use quick_junit::{Report, TestCaseStatus};
use serde_json::{json, Value};

/// How profiles of the generated folder get (or fail to get) their secret.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// `vault://secret/team/<handle>#client_secret`, holding the provider's secret.
    Vault,
    /// `env:TEAM_CLIENT_SECRET`, holding it.
    Env,
    /// A vault path with no secret at it.
    NoPath,
    /// A vault secret without the field named.
    NoField,
    /// A vault secret holding a value the provider does not take.
    Stale,
    /// A token endpoint nothing listens on.
    Unreachable,
}

impl Kind {
    const ALL: [Kind; 6] = [Kind::Vault, Kind::Env, Kind::NoPath, Kind::NoField, Kind::Stale, Kind::Unreachable];
    const PASSING: [Kind; 2] = [Kind::Vault, Kind::Env];

    fn passes(self) -> bool {
        Kind::PASSING.contains(&self)
    }

    /// The knowledge-base entry (or finding) a failure of this kind is explained by, when
    /// one fixed entry is.
    fn explained_by(self) -> Option<&'static str> {
        match self {
            Kind::NoPath => Some("secret-source-not-found"),
            Kind::NoField => Some("secret-source-field-missing"),
            _ => None,
        }
    }
}

/// A secret value like a provider issues, unique to this run (long enough for the redactor).
fn secret_value(n: u32) -> String {
    format!("team-ci-client-secret-{n}-{:x}-{:x}", std::process::id(), rand_part())
}

fn rand_part() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
}

/// npm's oidc-provider on `port` with the client `cc-rotating` holding `secret`.
fn provider(port: u16, secret: &str) -> Server {
    let port = port.to_string();
    Server::start("oidc.mjs", &[("PORT", port.as_str()), ("ROTATING_SECRET", secret)])
}

/// Writes a team folder at `dir`: the folder file, and one file per profile, `kinds[i]`
/// deciding profile `i`'s reference. Returns each handle with its kind.
fn team_folder(dir: &Path, kinds: &[Kind], token_url: &str) -> Vec<(String, Kind)> {
    std::fs::create_dir_all(dir.join("profiles")).unwrap();
    std::fs::write(dir.join("oauthdesk-team.json"), "{\n  \"format\": \"oauthdesk-team\",\n  \"version\": 1\n}\n").unwrap();
    let dead = format!("http://127.0.0.1:{}/token", closed_port());
    kinds
        .iter()
        .enumerate()
        .map(|(i, &kind)| {
            let handle = format!("svc-{i:03}");
            let reference = match kind {
                Kind::Vault | Kind::Unreachable => format!("vault://secret/team/{handle}#client_secret"),
                Kind::Env => "env:TEAM_CLIENT_SECRET".to_string(),
                Kind::NoPath => format!("vault://secret/team/missing-{handle}#client_secret"),
                Kind::NoField => format!("vault://secret/team/{handle}#secret"),
                Kind::Stale => format!("vault://secret/team/{handle}#client_secret"),
            };
            let url = if kind == Kind::Unreachable { dead.as_str() } else { token_url };
            let mut fields = json!({ "token_url": url, "client_id": "cc-rotating", "scopes": "api" });
            // Some secrets end within the warning's 30 days, some later.
            if let Some(days) = secret_ends_in(i) {
                fields["secret_expires"] = json!((chrono::Utc::now() + chrono::Duration::days(days)).format("%Y-%m-%d").to_string());
            }
            let file = json!({
                "version": 1,
                "handle": handle,
                "label": format!("Service {i} ({kind:?})"),
                "template": "client-credentials",
                "fields": fields,
                "secret_ref": reference,
            });
            std::fs::write(dir.join("profiles").join(format!("{handle}.json")), serde_json::to_string_pretty(&file).unwrap() + "\n")
                .unwrap();
            (handle, kind)
        })
        .collect()
}

/// In how many days profile `i`'s client secret ends, when its file says.
fn secret_ends_in(i: usize) -> Option<i64> {
    match i % 7 {
        0 => Some(10),
        3 => Some(90),
        _ => None,
    }
}

/// Puts each profile's vault secret: the provider's `secret`, or a stale value.
fn fill_vault(bao: &Bao, profiles: &[(String, Kind)], secret: &str, stale: &str) {
    for (handle, kind) in profiles {
        let value = match kind {
            Kind::Vault | Kind::NoField | Kind::Unreachable => secret,
            Kind::Stale => stale,
            Kind::Env | Kind::NoPath => continue,
        };
        bao.cli(&["kv", "put", "-mount=secret", &format!("team/{handle}"), &format!("client_secret={value}")]);
    }
}

/// One run of the real binary as a CI job runs it: no environment but PATH, `env`, a fresh
/// empty HOME and TMPDIR, and a D-Bus session address that leads nowhere. Checks that the
/// run left nothing in HOME or TMPDIR.
fn ci(args: &[&str], env: &[(&str, &str)]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_oauthdesk"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("TMPDIR", tmp.path())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env("OAUTHDESK_LOG", "debug")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let left = |d: &Path| std::fs::read_dir(d).unwrap().flatten().map(|e| e.path().display().to_string()).collect::<Vec<_>>();
    assert_eq!(left(home.path()), Vec::<String>::new(), "the run wrote into HOME");
    assert_eq!(left(tmp.path()), Vec::<String>::new(), "the run left its temporary store behind");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every text a run produced, for the scan.
#[derive(Default)]
struct Seen(String);

impl Seen {
    fn add(&mut self, text: &str) {
        self.0.push_str(text);
        self.0.push('\n');
    }

    /// None of `values` appears, and nothing shaped like one of the provider's tokens (43
    /// characters of base64url) does.
    fn assert_clean(&self, values: &[&str]) {
        for v in values {
            assert!(!self.0.contains(v), "a secret appeared in an output or file");
        }
        let mut run = 0;
        for c in self.0.chars() {
            run = if c.is_ascii_alphanumeric() || c == '-' || c == '_' { run + 1 } else { 0 };
            assert!(run < 40, "a token-shaped string appeared in an output or file");
        }
    }
}

/// The JUnit report at `path`, parsed, with its one suite's counts checked against `expected`.
fn junit(path: &Path, tests: usize, failures: usize, seen: &mut Seen) -> Report {
    let xml = std::fs::read_to_string(path).unwrap();
    seen.add(&xml);
    let report = Report::deserialize_from_str(&xml).unwrap_or_else(|e| panic!("the JUnit report parses: {e}\n{xml}"));
    assert_eq!((report.tests, report.failures, report.errors), (tests, failures, 0), "{xml}");
    assert_eq!(report.test_suites.len(), 1);
    assert_eq!(report.test_suites[0].test_cases.len(), tests);
    report
}

/// The failure of each failing test case: (handle, message, type).
fn failures(report: &Report) -> Vec<(String, String, String)> {
    report.test_suites[0]
        .test_cases
        .iter()
        .filter_map(|c| match &c.status {
            TestCaseStatus::NonSuccess { message, ty, .. } => Some((
                c.name.to_string(),
                message.as_ref().map(|m| m.to_string()).unwrap_or_default(),
                ty.as_ref().map(|t| t.to_string()).unwrap_or_default(),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn a_team_folder_of_many_profiles_is_tested_without_keyring_or_d_bus_and_each_failure_is_explained() {
    let bao = Bao::start();
    let vault_token = bao.token_for("team");
    let (secret, stale) = (secret_value(1), secret_value(2));
    let idp = provider(closed_port(), &secret);
    let team = tempfile::tempdir().unwrap();
    let kinds: Vec<Kind> = (0..50).map(|i| Kind::ALL[i % Kind::ALL.len()]).collect();
    let profiles = team_folder(team.path(), &kinds, &idp.url("/token"));
    fill_vault(&bao, &profiles, &secret, &stale);
    let out = tempfile::tempdir().unwrap();
    let report_path = out.path().join("junit.xml");
    let env = [("VAULT_ADDR", bao.addr.as_str()), ("VAULT_TOKEN", vault_token.as_str()), ("TEAM_CLIENT_SECRET", secret.as_str())];
    let team_dir = team.path().to_str().unwrap();
    let mut seen = Seen::default();

    let run = ci(&["test", "--all", "--team", team_dir, "--junit", report_path.to_str().unwrap(), "--json"], &env);
    seen.add(&run.stdout);
    seen.add(&run.stderr);
    let failing = profiles.iter().filter(|(_, k)| !k.passes()).count();
    assert_eq!(run.code, 1, "a failure fails the run: {}\n{}", run.stdout, run.stderr);
    let j: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (j["ok"].as_bool(), j["tests"].as_u64(), j["failed"].as_u64(), j["passed"].as_u64()),
        (Some(false), Some(50), Some(failing as u64), Some((50 - failing) as u64)),
        "{j}"
    );
    let results = j["results"].as_array().unwrap();
    assert_eq!(results.len(), profiles.len());
    for (handle, kind) in &profiles {
        let r = results.iter().find(|r| r["handle"] == handle.as_str()).unwrap_or_else(|| panic!("{handle} has a result"));
        assert_eq!(r["ok"].as_bool(), Some(kind.passes()), "{kind:?}: {r}");
        if !kind.passes() {
            let f = &r["failure"];
            assert!(f["cause"].as_str().is_some_and(|c| !c.is_empty()), "{kind:?}: {r}");
            assert!(f["fix"].as_array().is_some_and(|f| !f.is_empty()), "{kind:?} has a fix: {r}");
            if let Some(entry) = kind.explained_by() {
                assert_eq!(f["knowledge"], entry, "{kind:?}: {r}");
                assert_eq!(f["need"], "secret_source", "{kind:?}: {r}");
            }
        }
    }
    // Warnings: exactly the profiles whose secret ends within 30 days, passing or not.
    let warned: Vec<&str> =
        results.iter().filter(|r| r["warnings"].as_array().is_some_and(|w| !w.is_empty())).map(|r| r["handle"].as_str().unwrap()).collect();
    let expected: Vec<&str> =
        profiles.iter().enumerate().filter(|(i, _)| secret_ends_in(*i) == Some(10)).map(|(_, (h, _))| h.as_str()).collect();
    let mut warned = warned;
    warned.sort_unstable();
    assert_eq!(warned, expected);
    assert_eq!(j["warned"].as_u64(), Some(expected.len() as u64));
    for r in results.iter().filter(|r| expected.contains(&r["handle"].as_str().unwrap())) {
        assert_eq!(r["warnings"][0]["kind"], "secret_expiring", "{r}");
    }
    // The provider was asked once per profile that had its secret (and no more).
    let asked = profiles.iter().filter(|(_, k)| matches!(k, Kind::Vault | Kind::Env | Kind::Stale)).count() as u64;
    assert_eq!(idp.hits("/token"), asked);

    let report = junit(&report_path, 50, failing, &mut seen);
    for case in &report.test_suites[0].test_cases {
        let warns = expected.contains(&case.name.as_str());
        let out = case.system_out.as_ref().map(|o| o.to_string()).unwrap_or_default();
        assert_eq!(out.contains("warning: secret_expiring"), warns, "{}: {out}", case.name.as_str());
        assert_eq!(case.properties.iter().any(|p| p.name.as_str() == "warning.1"), warns, "{}", case.name.as_str());
    }
    let failed = failures(&report);
    assert_eq!(failed.len(), failing);
    for (handle, message, ty) in &failed {
        let (_, kind) = profiles.iter().find(|(h, _)| h == handle).unwrap();
        let r = results.iter().find(|r| r["handle"] == handle.as_str()).unwrap();
        let cause = r["failure"]["cause"].as_str().unwrap();
        assert!(message.starts_with(cause) && message.contains(" Fix: "), "{kind:?}: the message is the cause and the fix: {message}");
        assert_eq!(Some(ty.as_str()), r["failure"]["knowledge"].as_str(), "{kind:?}: the type names the entry");
    }

    // The same run as text: each failure's cause and fix under its line; the counts.
    let text = ci(&["test", "--all", "--team", team_dir], &env);
    seen.add(&text.stdout);
    seen.add(&text.stderr);
    assert_eq!(text.code, 1);
    assert!(text.stdout.contains(&format!("50 tests: {} ok, {failing} failing", 50 - failing)), "{}", text.stdout);
    assert!(text.stdout.matches("\n    fix: ").count() >= failing, "{}", text.stdout);
    for entry in std::fs::read_dir(team.path().join("profiles")).unwrap().flatten() {
        seen.add(&std::fs::read_to_string(entry.path()).unwrap());
    }
    seen.assert_clean(&[&secret, &stale, &vault_token, &bao.root]);
}

#[test]
fn all_passing_exits_0_a_rotated_secret_is_read_afresh_and_a_sealed_vault_is_named() {
    let bao = Bao::start();
    let vault_token = bao.token_for("team");
    let (v1, v2) = (secret_value(3), secret_value(4));
    let port = closed_port();
    let idp = provider(port, &v1);
    let team = tempfile::tempdir().unwrap();
    let kinds: Vec<Kind> = (0..12).map(|i| Kind::PASSING[i % 2]).collect();
    let profiles = team_folder(team.path(), &kinds, &idp.url("/token"));
    fill_vault(&bao, &profiles, &v1, "");
    let out = tempfile::tempdir().unwrap();
    let report_path = out.path().join("junit.xml");
    let junit_arg = report_path.to_str().unwrap();
    let team_dir = team.path().to_str().unwrap();
    let mut seen = Seen::default();
    let env = |secret: &str| -> Vec<(String, String)> {
        vec![
            ("VAULT_ADDR".into(), bao.addr.clone()),
            ("VAULT_TOKEN".into(), vault_token.clone()),
            ("TEAM_CLIENT_SECRET".into(), secret.to_string()),
        ]
    };
    let mut run = |env: &[(String, String)]| -> (Run, Value) {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let run = ci(&["test", "--all", "--team", team_dir, "--junit", junit_arg, "--json"], &env);
        seen.add(&run.stdout);
        seen.add(&run.stderr);
        let j = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
        (run, j)
    };

    let (first, j) = run(&env(&v1));
    assert_eq!(first.code, 0, "all pass: {}\n{}", first.stdout, first.stderr);
    assert_eq!((j["ok"].as_bool(), j["passed"].as_u64(), j["failed"].as_u64()), (Some(true), Some(12), Some(0)));
    let mut seen_junit = Seen::default();
    assert!(failures(&junit(&report_path, 12, 0, &mut seen_junit)).is_empty());

    // Rotated at the provider and in the vault (and in the job's variable): the next run
    // reads the new value, nothing having been kept from the last.
    drop(idp);
    let idp = provider(port, &v2);
    for (handle, _) in profiles.iter().filter(|(_, k)| *k == Kind::Vault) {
        bao.cli(&["kv", "put", "-mount=secret", &format!("team/{handle}"), &format!("client_secret={v2}")]);
    }
    let (rotated, j) = run(&env(&v2));
    assert_eq!(rotated.code, 0, "the rotated secret is read: {}\n{}", rotated.stdout, rotated.stderr);
    assert_eq!(j["passed"].as_u64(), Some(12));

    // Sealed: every vault profile fails with the secret source's own cause; the others pass.
    bao.cli(&["operator", "seal"]);
    let asked_before = idp.hits("/token");
    let (sealed, j) = run(&env(&v2));
    assert_eq!(sealed.code, 1, "{}\n{}", sealed.stdout, sealed.stderr);
    let vaulted = profiles.iter().filter(|(_, k)| *k == Kind::Vault).count();
    assert_eq!((j["failed"].as_u64(), j["passed"].as_u64()), (Some(vaulted as u64), Some((12 - vaulted) as u64)), "{j}");
    let report = junit(&report_path, 12, vaulted, &mut seen_junit);
    for (handle, message, ty) in failures(&report) {
        assert!(profiles.iter().any(|(h, k)| *h == handle && *k == Kind::Vault), "{handle} failed");
        assert_eq!(ty, "secret-source-sealed", "{handle}: {message}");
        assert!(message.contains("is sealed") && message.contains(" Fix: "), "{handle}: {message}");
    }
    assert_eq!(idp.hits("/token") - asked_before, (12 - vaulted) as u64, "a sealed vault's profiles asked the provider nothing");
    seen.0.push_str(&seen_junit.0);
    seen.assert_clean(&[&v1, &v2, &vault_token, &bao.root]);
}

#[test]
fn a_junit_report_or_a_team_without_all_is_refused_as_bad_input() {
    for args in [&["test", "--team", "."][..], &["test", "--all", "--junit", "r.xml"], &["test", "h", "--team", "."]] {
        let run = ci(args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
    }
}

/// A run's references to one vault share its AppRole login: twenty profiles make at most as
/// many logins as run at once (each login is a token the vault keeps until it expires), not
/// one each.
#[test]
fn the_references_of_one_run_share_their_approle_login() {
    let bao = Bao::start();
    let policy_token = bao.token_for("team");
    bao.cli(&["auth", "enable", "approle"]);
    bao.cli(&["write", "auth/approle/role/ci", "token_policies=team"]);
    let role_id = bao.cli(&["read", "-field=role_id", "auth/approle/role/ci/role-id"]);
    let secret_id = bao.cli(&["write", "-f", "-field=secret_id", "auth/approle/role/ci/secret-id"]);
    let secret = secret_value(5);
    let idp = provider(closed_port(), &secret);
    let team = tempfile::tempdir().unwrap();
    let profiles = team_folder(team.path(), &[Kind::Vault; 20], &idp.url("/token"));
    fill_vault(&bao, &profiles, &secret, "");
    let tokens = || bao.cli(&["list", "-format=json", "auth/token/accessors"]).matches('"').count() / 2;
    let before = tokens();
    let env = [("VAULT_ADDR", bao.addr.as_str()), ("VAULT_ROLE_ID", role_id.as_str()), ("VAULT_SECRET_ID", secret_id.as_str())];
    let run = ci(&["test", "--all", "--team", team.path().to_str().unwrap(), "--parallel", "2"], &env);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let logins = tokens() - before;
    assert!((1..=2).contains(&logins), "{logins} logins for 20 references read 2 at a time");
    let mut seen = Seen::default();
    seen.add(&run.stdout);
    seen.add(&run.stderr);
    seen.assert_clean(&[&secret, &secret_id, &policy_token, &bao.root]);
}
