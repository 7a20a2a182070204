//! Team folders through the real command line and real Git: a bare repository, two clones as
//! two users, each with their own data directory (their own store, their own secrets). One
//! exports profiles of every template into their clone, commits and pushes; the other pulls
//! and syncs; changes made on either side are committed, pulled and synced; a profile removed
//! from the folder is removed; a moved token URL waits for a confirmation; profiles not from
//! the folder are untouched; a bad file changes nothing; each user gets their own token with
//! the secret from the vault (OpenBao); and no secret or token is ever in the folder or anywhere in
//! its Git history.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::bao::Bao;
use common::{closed_port, json, oauthdesk, oauthdesk_env, ok, Run, Server, TestProfile};
use serde_json::Value;

/// Runs `git` in `dir` as a user of its own (no global configuration is read).
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=Tester",
            "-c",
            "user.email=tester@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A bare repository and two users, each with a clone and a data directory.
struct Team {
    _root: tempfile::TempDir,
    remote: PathBuf,
    users: [User; 2],
}

struct User {
    clone: PathBuf,
    data: PathBuf,
}

impl User {
    fn folder(&self) -> PathBuf {
        self.clone.join("oauth")
    }

    fn folder_text(&self) -> String {
        self.folder().display().to_string()
    }

    fn run(&self, args: &[&str]) -> Run {
        oauthdesk(&self.data, args, None)
    }

    fn commit_and_push(&self, message: &str) {
        git(&self.clone, &["add", "-A"]);
        git(&self.clone, &["commit", "-q", "-m", message]);
        git(&self.clone, &["push", "-q", "origin", "HEAD:main"]);
    }

    fn pull(&self) {
        git(&self.clone, &["pull", "-q", "--ff-only", "origin", "main"]);
    }

    fn head(&self) -> String {
        git(&self.clone, &["rev-parse", "HEAD"]).trim().to_string()
    }

    fn sync(&self, extra: &[&str]) -> (i32, Value) {
        let folder = self.folder_text();
        let mut args = vec!["team", "sync", folder.as_str(), "--json"];
        args.extend(extra);
        let run = self.run(&args);
        (run.code, serde_json::from_str(&run.stdout).unwrap_or_else(|_| panic!("{}\n{}", run.stdout, run.stderr)))
    }

    fn show(&self, handle: &str) -> Value {
        json(self.run(&["show", handle, "--json"]))
    }
}

impl Team {
    fn new() -> Team {
        let root = tempfile::tempdir().unwrap();
        let remote = root.path().join("remote.git");
        std::fs::create_dir(&remote).unwrap();
        git(&remote, &["init", "-q", "--bare", "-b", "main"]);
        let user = |name: &str| {
            git(root.path(), &["clone", "-q", remote.to_str().unwrap(), name]);
            User { clone: root.path().join(name), data: root.path().join(format!("{name}-data")) }
        };
        let users = [user("alice"), user("bob")];
        Team { remote, users, _root: root }
    }

    /// Everything Git holds for the folder, every commit and every version of every file, in
    /// the bare repository and in each clone.
    fn history(&self) -> String {
        let mut all = git(&self.remote, &["log", "-p", "--all"]);
        for u in &self.users {
            all.push_str(&git(&u.clone, &["log", "-p", "--all"]));
            all.push_str(&common::data_dir_text(&u.folder()));
        }
        all
    }
}

/// What a sync's report says of each handle.
fn outcomes(report: &Value) -> Vec<(String, String)> {
    report["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["handle"].as_str().unwrap().into(), e["outcome"].as_str().unwrap().into()))
        .collect()
}

fn outcome_of(report: &Value, handle: &str) -> Value {
    report["entries"].as_array().unwrap().iter().find(|e| e["handle"] == handle).cloned().unwrap_or(Value::Null)
}

/// Profiles of every template, with unusual labels: each required field filled, the secret
/// typed for some and given by reference for others. Returns them (with handle and template)
/// and the typed secrets.
fn every_template(count_each: usize) -> (Vec<Made>, Vec<String>) {
    let labels = ["Prod ✓", "日本語のラベル", "quote \" and back\\slash", "Ünïcødé — dash", "  spaced  ", "emoji 🚀 label"];
    let templates: Vec<Value> =
        serde_json::from_str(&ok(oauthdesk(Path::new("/nonexistent-unused"), &["templates", "--all", "--json"], None)).stdout).unwrap();
    let mut out = Vec::new();
    let mut secrets = Vec::new();
    for (t_i, t) in templates.iter().enumerate() {
        for n in 0..count_each {
            let i = t_i * count_each + n;
            let id = t["id"].as_str().unwrap();
            let mut p = TestProfile::new(id, &format!("t{t_i}-{n}-{}", id)).label(labels[i % labels.len()]);
            let mut has_secret = false;
            for f in t["fields"].as_array().unwrap().iter().filter(|f| f["required"] == true) {
                let name = f["name"].as_str().unwrap();
                match f["kind"]["type"].as_str().unwrap() {
                    "secret" => has_secret = true,
                    "url" if name == "my_domain" => p = p.set(name, format!("https://acme{i}.my.salesforce.com")),
                    "url" => p = p.set(name, format!("https://auth{i}.example.com/{name}")),
                    _ => p = p.set(name, format!("{name}-{i}")),
                }
            }
            if has_secret {
                if i.is_multiple_of(2) {
                    let s = format!("typed-team-secret-{i}-{:x}", std::process::id());
                    p = p.secret(&s);
                    secrets.push(s);
                } else {
                    p = p.set("secret_ref", format!("env:TEAM_SECRET_{i}"));
                }
            }
            out.push(Made { handle: format!("t{t_i}-{n}-{id}"), template: id.to_string(), profile: p });
        }
    }
    (out, secrets)
}

struct Made {
    handle: String,
    template: String,
    profile: TestProfile,
}

#[test]
fn two_users_share_profiles_through_git_and_nothing_else() {
    let team = Team::new();
    let [alice, bob] = &team.users;
    let (profiles, secrets) = every_template(2);
    for p in &profiles {
        p.profile.add(&alice.data);
    }
    // Alice's own profile stays hers; Bob has one of his own, and one whose handle the team takes too.
    TestProfile::client_credentials("alice-own", "https://alice.example.com/token", "a")
        .secret("alice-own-secret-value-1234")
        .add(&alice.data);
    TestProfile::client_credentials("bob-own", "https://bob.example.com/token", "b").secret("bob-own-secret-value-5678").add(&bob.data);
    TestProfile::client_credentials("clash", "https://bob.example.com/token", "b").secret("bob-clash-secret-value-9012").add(&bob.data);
    TestProfile::client_credentials("clash", "https://alice.example.com/token", "a")
        .secret("alice-clash-secret-value-3456")
        .add(&alice.data);

    ok(alice.run(&["team", "init", &alice.folder_text()]));
    let mut handles: Vec<String> = profiles.iter().map(|p| p.handle.clone()).collect();
    handles.push("clash".into());
    let mut args = vec!["team", "export"];
    args.extend(handles.iter().map(String::as_str));
    let folder = alice.folder_text();
    args.push(&folder);
    let exported = ok(alice.run(&args));
    assert!(exported.stdout.contains("Not written: the typed secret of"), "{}", exported.stdout);
    alice.commit_and_push("Team profiles");

    bob.pull();
    let before_own = bob.show("bob-own");
    let (code, report) = bob.sync(&[]);
    assert_eq!(code, 3, "the clash waits for a person: {report}");
    for h in &handles {
        let want = if h == "clash" { "conflict" } else { "added" };
        assert_eq!(outcome_of(&report, h)["outcome"], want, "{h}: {report}");
    }
    assert_eq!(report["commit"], alice.head());
    let shown = bob.show(&handles[0]);
    assert_eq!(shown["team"]["dir"], std::fs::canonicalize(bob.folder()).unwrap().display().to_string());
    assert_eq!(shown["team"]["commit"], alice.head());
    for p in &profiles {
        let theirs = bob.show(&p.handle);
        let mine = alice.show(&p.handle);
        assert_eq!((theirs["label"].clone(), theirs["fields"].clone()), (mine["label"].clone(), mine["fields"].clone()), "{}", p.handle);
        // A typed secret stays with Alice: Bob types or references his own.
        if mine["client_secret"] == "set" && mine.get("secret_ref").is_none() {
            assert_eq!(theirs["client_secret"], "not set", "{}", p.handle);
        }
    }
    assert_eq!(bob.show("clash")["fields"]["token_url"], "https://bob.example.com/token", "never overwritten");
    assert_eq!(bob.show("bob-own"), before_own);

    // Bob edits one: its file is written, he commits; Alice pulls and syncs.
    let edited = &handles[1];
    let run = ok(bob.run(&["edit", edited, "--label", "Renamed by Bob"]));
    assert!(run.stdout.contains("Wrote its team file"), "{}", run.stdout);
    bob.commit_and_push("Rename");
    alice.pull();
    let (_, report) = alice.sync(&[]);
    assert_eq!(outcome_of(&report, edited)["outcome"], "changed", "{report}");
    assert_eq!(outcome_of(&report, edited)["changed"], serde_json::json!(["label"]));
    assert_eq!(outcome_of(&report, &handles[0])["outcome"], "unchanged");
    assert_eq!(alice.show(edited)["label"], "Renamed by Bob");

    // Alice changes a field and removes a profile; Bob pulls and syncs.
    ok(alice.run(&["edit", &handles[0], "--set", "scopes=read write"]));
    std::fs::remove_file(alice.folder().join("profiles").join(format!("{}.json", handles[2]))).unwrap();
    alice.commit_and_push("Scopes, and one profile retired");
    bob.pull();
    let (_, report) = bob.sync(&[]);
    assert_eq!(outcome_of(&report, &handles[0])["outcome"], "changed", "{report}");
    assert_eq!(outcome_of(&report, &handles[0])["changed"], serde_json::json!(["scopes"]));
    assert_eq!(outcome_of(&report, &handles[2])["outcome"], "removed");
    assert_eq!(bob.run(&["show", &handles[2]]).code, 2, "removed on sync");
    assert_eq!(bob.show("bob-own"), before_own, "a profile not from the folder is untouched");

    // A moved token URL: Alice confirms her own edit; Bob's sync waits for his.
    let moved = profiles.iter().find(|p| p.template == "client-credentials").unwrap().handle.clone();
    ok(alice.run(&["edit", &moved, "--set", "token_url=https://elsewhere.example.net/token", "--confirm-origins"]));
    alice.commit_and_push("Move the token URL");
    bob.pull();
    let (code, report) = bob.sync(&[]);
    assert_eq!((code, outcome_of(&report, &moved)["outcome"].as_str()), (3, Some("needs_confirmation")), "{report}");
    assert!(outcome_of(&report, &moved)["why"].as_str().unwrap().contains("elsewhere.example.net"));
    assert_ne!(bob.show(&moved)["fields"]["token_url"], "https://elsewhere.example.net/token", "not applied unconfirmed");
    let text = bob.run(&["team", "sync", &bob.folder_text()]);
    assert!(text.stdout.contains("--yes"), "{}", text.stdout);
    let (_, report) = bob.sync(&["--yes"]);
    assert_eq!(outcome_of(&report, &moved)["outcome"], "changed", "{report}");
    let shown = bob.show(&moved);
    assert_eq!(shown["fields"]["token_url"], "https://elsewhere.example.net/token");
    assert_eq!(shown["unconfirmed"], serde_json::json!([]));
    assert_eq!(shown["team"]["commit"], alice.head());

    // Nothing secret anywhere in the folder or its history.
    let history = team.history();
    assert!(history.contains("Renamed by Bob"), "the scan reads the history");
    for s in secrets.iter().map(String::as_str).chain([
        "alice-own-secret-value-1234",
        "bob-own-secret-value-5678",
        "bob-clash-secret-value-9012",
        "alice-clash-secret-value-3456",
    ]) {
        assert!(!history.contains(s), "a secret is in the team folder's history");
    }
}

#[test]
fn a_bad_file_pulled_from_git_changes_nothing() {
    let team = Team::new();
    let [alice, bob] = &team.users;
    for i in 0..3 {
        TestProfile::client_credentials(&format!("api-{i}"), "https://auth.example.com/token", "c")
            .set("secret_ref", "env:S")
            .add(&alice.data);
    }
    ok(alice.run(&["team", "export", &alice.folder_text()]));
    alice.commit_and_push("Team profiles");
    bob.pull();
    assert_eq!(bob.sync(&[]).0, 0);
    let before = json(bob.run(&["list", "--json"]));
    // A good change and a bad file in one commit: neither is applied.
    ok(alice.run(&["edit", "api-0", "--label", "Would change"]));
    let files = alice.folder().join("profiles");
    let bad: [(&str, &str, &str); 5] = [
        ("api-9", r#"{"version": 1, "handle": "api-9", "template": "no-such-template"}"#, "template"),
        ("api-8", r#"{"version": 1, "handle": "api-7", "template": "client-credentials"}"#, "handle"),
        ("api-6", r#"{"version": 2, "handle": "api-6", "template": "client-credentials"}"#, "version"),
        (
            "api-5",
            r#"{"version": 1, "handle": "api-5", "template": "client-credentials", "fields": {"client_id": "c", "token_url": "https://a.example.com/t", "client_secret": "x"}}"#,
            "fields.client_secret",
        ),
        ("Bad Name", r#"{"version": 1, "handle": "Bad Name", "template": "client-credentials"}"#, "handle"),
    ];
    for (name, text, field) in bad {
        let path = files.join(format!("{name}.json"));
        std::fs::write(&path, text).unwrap();
        alice.commit_and_push("A bad file");
        bob.pull();
        let run = bob.run(&["team", "sync", &bob.folder_text(), "--json"]);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        let e: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(e["field"], field, "{e}");
        assert!(e["message"].as_str().unwrap().contains(&format!("{name}.json")), "{e}");
        assert_eq!(json(bob.run(&["list", "--json"])), before, "{name}: nothing changed");
        std::fs::remove_file(&path).unwrap();
        alice.commit_and_push("Bad file gone");
    }
    bob.pull();
    let (code, report) = bob.sync(&[]);
    assert_eq!((code, outcome_of(&report, "api-0")["outcome"].as_str()), (0, Some("changed")), "{report}");
    assert_eq!(outcomes(&report).len(), 3);
    // Not a team folder: refused (it would remove every profile from it).
    let plain = tempfile::tempdir().unwrap();
    let run = bob.run(&["team", "sync", plain.path().to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(json(bob.run(&["list", "--json"])).as_array().unwrap().len(), 3);
}

#[test]
fn each_user_gets_their_own_token_with_the_secret_from_the_vault() {
    let secret = format!("shared-client-secret-{:x}", std::process::id());
    let port = closed_port();
    let idp = Server::start("oidc.mjs", &[("PORT", port.to_string().as_str()), ("ROTATING_SECRET", secret.as_str())]);
    let bao = Bao::start();
    bao.cli(&["kv", "put", "-mount=secret", "team/api", &format!("client_secret={secret}")]);
    let team = Team::new();
    let [alice, bob] = &team.users;
    TestProfile::client_credentials("api", &idp.url("/token"), "cc-rotating")
        .set("secret_ref", "vault://secret/team/api#client_secret")
        .add(&alice.data);
    ok(alice.run(&["team", "export", "api", &alice.folder_text()]));
    alice.commit_and_push("api");
    bob.pull();
    assert_eq!(bob.sync(&[]).0, 0);
    // Each user signs in to the vault with a token of their own.
    let vault_tokens = [bao.token_for("team"), bao.token_for("team")];
    let token = |u: &User, vault_token: &str| {
        let env = [("VAULT_ADDR", bao.addr.as_str()), ("VAULT_TOKEN", vault_token)];
        let v: Value = serde_json::from_str(&ok(oauthdesk_env(&u.data, &["token", "api", "--json"], None, &env)).stdout).unwrap();
        v["access_token"].as_str().unwrap().to_string()
    };
    let (a, b) = (token(alice, &vault_tokens[0]), token(bob, &vault_tokens[1]));
    assert!(!a.is_empty() && a != b, "each user has their own token");
    // Each store keeps its own: Alice's token is not in Bob's data directory and the reverse.
    assert_eq!(token(alice, &vault_tokens[0]), a, "cached in Alice's store");
    let (alice_data, bob_data) = (common::data_dir_text(&alice.data), common::data_dir_text(&bob.data));
    assert!(!alice_data.contains(&a) && !bob_data.contains(&b), "tokens are sealed");
    assert!(!alice_data.contains(&secret) && !bob_data.contains(&secret), "the secret read is sealed");
    ok(bob.run(&["edit", "api", "--label", "API"]));
    bob.commit_and_push("label");
    let history = team.history();
    for v in [&secret, &a, &b, &vault_tokens[0], &vault_tokens[1], &bao.root] {
        assert!(!history.contains(v.as_str()), "a secret or a token is in the folder's history");
    }
    drop(idp);
}
