//! Secrets by reference, through the real command line: OpenBao's server (`bao server
//! -dev`, KV version 2 and AppRole) holds the client secret, npm's oidc-provider issues the
//! tokens. A profile with a vault reference gets a token; a secret rotated in the vault is
//! picked up once the provider refuses the old one; each way the vault can fail (a missing
//! field, path or mount, a denied path, a revoked token, a sealed or unreachable vault) is
//! named with the reference and its reason, at `token` and at diagnose's `secret_source`
//! stage, and changes nothing stored; env: and file: references work; no value read ever
//! appears in any output, the history or the data directory.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::Path;

use common::bao::{Bao, Seen};
use common::{closed_port, json, oauthdesk_env, ok, Server, TestProfile};
use serde_json::Value;

/// A secret value like a provider issues (long enough for the redactor to know it).
fn secret_value(n: u32) -> String {
    format!("rotating-client-secret-{n}-{:x}", std::process::id())
}

/// npm's oidc-provider on `port` with the client `cc-rotating` holding `secret`.
fn provider(port: u16, secret: &str) -> Server {
    let port = port.to_string();
    Server::start("oidc.mjs", &[("PORT", port.as_str()), ("ROTATING_SECRET", secret)])
}

#[test]
fn a_vault_reference_gets_a_token_and_a_secret_rotated_there_heals_the_profile() {
    let bao = Bao::start();
    let token = bao.app_token();
    let (v1, v2) = (secret_value(1), secret_value(2));
    bao.cli(&["kv", "put", "-mount=secret", "app/api", &format!("client_secret={v1}")]);
    let port = closed_port();
    let idp = provider(port, &v1);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let env = [("VAULT_ADDR", bao.addr.as_str()), ("VAULT_TOKEN", token.as_str())];
    let mut seen = Seen::default();
    let reference = "vault://secret/app/api#client_secret";
    let p = TestProfile::client_credentials("vaulted", &idp.url("/token"), "cc-rotating").set("secret_ref", reference);
    let args = p.add_args();
    let created = ok(seen.run(d, &args.iter().map(String::as_str).collect::<Vec<_>>(), &env));
    assert!(created.stdout.contains("vaulted"));

    let shown: Value = serde_json::from_str(&ok(seen.run(d, &["show", "vaulted", "--json"], &env)).stdout).unwrap();
    assert_eq!(shown["secret_ref"], reference);
    let got: Value = serde_json::from_str(&ok(seen.run(d, &["token", "vaulted", "--json"], &env)).stdout).unwrap();
    assert!(got["access_token"].as_str().is_some_and(|t| !t.is_empty()));

    // Rotated in the vault and at the provider: the kept value is refused once, read again,
    // and the new one works, without anyone typing it.
    bao.cli(&["kv", "put", "-mount=secret", "app/api", &format!("client_secret={v2}")]);
    drop(idp);
    let idp = provider(port, &v2);
    ok(seen.run(d, &["token", "vaulted", "--force", "--json"], &env));
    let history: Value = serde_json::from_str(&ok(seen.run(d, &["history", "vaulted", "--json"], &env)).stdout).unwrap();
    let errors: Vec<&str> = history.as_array().unwrap().iter().map(|a| a["error"].as_str().unwrap_or("")).collect();
    assert_eq!(&errors[..2], ["", "invalid_client"], "refused, then healed: {history}");
    // Kept from now on: the vault is not asked while the kept value works.
    let env_without_vault = [("VAULT_ADDR", "http://127.0.0.1:9")];
    ok(seen.run(d, &["token", "vaulted", "--force"], &env_without_vault));
    // The same through an AppRole login instead of a token.
    bao.cli(&["auth", "enable", "approle"]);
    bao.cli(&["write", "auth/approle/role/app", "token_policies=app"]);
    let role_id = bao.cli(&["read", "-field=role_id", "auth/approle/role/app/role-id"]);
    let secret_id = bao.cli(&["write", "-f", "-field=secret_id", "auth/approle/role/app/secret-id"]);
    let approle = [("VAULT_ADDR", bao.addr.as_str()), ("VAULT_ROLE_ID", role_id.as_str()), ("VAULT_SECRET_ID", secret_id.as_str())];
    let diag: Value = serde_json::from_str(&seen.run(d, &["diagnose", "vaulted", "--json"], &approle).stdout).unwrap();
    let stage = diag["stages"].as_array().unwrap().iter().find(|s| s["name"] == "secret_source").cloned().unwrap_or(Value::Null);
    assert_eq!(stage["ok"], true, "{diag}");
    assert_eq!(diag["ok"], true, "{diag}");
    drop(idp);
    seen.assert_never(d, &[&v1, &v2, &secret_id, &token]);
}

/// The profile's state a failure must leave as it was: what `show` and `history` say.
fn stored(d: &Path, env: &[(&str, &str)]) -> (Value, Value) {
    let show = json(oauthdesk_env(d, &["show", "vaulted", "--json"], None, env));
    let history = json(oauthdesk_env(d, &["history", "vaulted", "--json"], None, env));
    (show, history)
}

#[test]
fn each_way_the_vault_fails_is_named_and_changes_nothing_stored() {
    let bao = Bao::start();
    let token = bao.app_token();
    let value = secret_value(3);
    bao.cli(&["kv", "put", "-mount=secret", "app/api", &format!("client_secret={value}")]);
    bao.cli(&["kv", "put", "-mount=secret", "other/api", &format!("client_secret={value}")]);
    let idp = provider(closed_port(), &value);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut seen = Seen::default();
    let env = [("VAULT_ADDR", bao.addr.as_str()), ("VAULT_TOKEN", token.as_str())];
    let p = TestProfile::client_credentials("vaulted", &idp.url("/token"), "cc-rotating").set("secret_ref", "vault://secret/app/api#nope");
    let args = p.add_args();
    ok(seen.run(d, &args.iter().map(String::as_str).collect::<Vec<_>>(), &env));
    let closed = format!("http://127.0.0.1:{}", closed_port());
    let unreachable = [("VAULT_ADDR", closed.as_str()), ("VAULT_TOKEN", token.as_str())];
    let root = [("VAULT_ADDR", bao.addr.as_str()), ("VAULT_TOKEN", bao.root.as_str())];
    // (reference, environment, what the vault does first, the finding, words the error says)
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, &'a str, &'a str);
    let cases: [Case<'_>; 7] = [
        ("vault://secret/app/api#nope", &env, "", "secret-source-field-missing", "has no field nope"),
        ("vault://secret/app/missing#client_secret", &env, "", "secret-source-not-found", "no such path"),
        // (A token with a policy is denied a path no engine serves before it is routed.)
        ("vault://nomount/app/api#client_secret", &root, "", "secret-source-not-found", "no secrets engine is mounted at nomount"),
        ("vault://secret/other/api#client_secret", &env, "", "secret-source-denied", "permission denied"),
        ("vault://secret/app/api#client_secret", &unreachable, "", "secret-source-unreachable", "cannot reach the vault"),
        ("vault://secret/app/api#client_secret", &env, "revoke", "secret-source-token-invalid", "refused its token"),
        (
            "vault://secret/app/api#client_secret",
            &[("VAULT_ADDR", bao.addr.as_str()), ("VAULT_TOKEN", bao.root.as_str())],
            "seal",
            "secret-source-sealed",
            "is sealed",
        ),
    ];
    for (reference, env, first, finding, words) in cases {
        ok(seen.run(d, &["edit", "vaulted", "--set", &format!("secret_ref={reference}")], env));
        match first {
            "revoke" => _ = bao.cli(&["token", "revoke", &token]),
            "seal" => _ = bao.cli(&["operator", "seal"]),
            _ => {}
        }
        let before = stored(d, env);
        let run = seen.run(d, &["token", "vaulted", "--json"], env);
        assert_eq!(run.code, 2, "{reference}: {}", run.stderr);
        let e: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(
            (e["code"].as_str(), e["need"].as_str(), e["field"].as_str()),
            (Some("not_ready"), Some("secret_source"), Some("secret_ref")),
            "{e}"
        );
        let message = e["message"].as_str().unwrap();
        assert!(message.contains(reference) && message.contains(words), "{reference}: {message}");
        assert!(run.stderr.contains("--set secret_ref="), "the command line says how to point it elsewhere: {}", run.stderr);
        assert_eq!(stored(d, env), before, "{reference}: nothing stored changed");
        let diag: Value = serde_json::from_str(&seen.run(d, &["diagnose", "vaulted", "--json"], env).stdout).unwrap();
        assert_eq!((diag["stage"].as_str(), diag["finding"].as_str()), (Some("secret_source"), Some(finding)), "{diag}");
        assert_eq!(stored(d, env).1, before.1, "{reference}: a diagnosis sent nothing");
    }
    assert_eq!(idp.hits("/token"), 0, "no request reached the provider");
    seen.assert_never(d, &[&value, &token]);
}

#[test]
fn env_and_file_references_give_a_token_and_show_never_prints_the_value() {
    let value = secret_value(4);
    let idp = provider(closed_port(), &value);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("client-secret");
    std::fs::write(&file, format!("{value}\n")).unwrap();
    let mut seen = Seen::default();
    let cases = [("by-env", "env:ACME_CLIENT_SECRET".to_string()), ("by-file", format!("file:{}", file.display()))];
    let env = [("ACME_CLIENT_SECRET", value.as_str())];
    for (handle, reference) in &cases {
        let p = TestProfile::client_credentials(handle, &idp.url("/token"), "cc-rotating").set("secret_ref", reference);
        let args = p.add_args();
        ok(seen.run(d, &args.iter().map(String::as_str).collect::<Vec<_>>(), &[]));
        ok(seen.run(d, &["token", handle, "--json"], &env));
        let shown: Value = serde_json::from_str(&ok(seen.run(d, &["show", handle, "--json"], &[])).stdout).unwrap();
        assert_eq!(shown["secret_ref"].as_str(), Some(reference.as_str()));
        ok(seen.run(d, &["show", handle], &[]));
        ok(seen.run(d, &["export", handle], &[]));
    }
    // A reference is checked as it is set, and the error names the field.
    let run = seen.run(d, &["edit", "by-env", "--set", "secret_ref=vault://secret/app", "--json"], &[]);
    assert_eq!(run.code, 2);
    let e: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(e["field"], "secret_ref", "{e}");
    assert!(e["message"].as_str().unwrap().contains("names no field"), "{e}");
    // A missing variable and a missing file are named.
    let run = seen.run(d, &["token", "by-env", "--force"], &[]);
    assert_eq!(run.code, 0, "the kept value serves while the provider takes it: {}", run.stderr);
    std::fs::remove_file(&file).unwrap();
    ok(seen.run(d, &["edit", "by-file", "--set", &format!("secret_ref=file:{}", files.path().join("gone").display())], &[]));
    let run = seen.run(d, &["token", "by-file"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("gone") && run.stderr.contains("cannot be read"), "{}", run.stderr);
    seen.assert_never(d, &[&value]);
}

#[test]
fn a_vault_over_https_is_trusted_through_its_ca_file_and_a_token_file_is_read() {
    let bao = Bao::with(true);
    let token = bao.app_token();
    let value = secret_value(5);
    bao.cli(&["kv", "put", "-mount=secret", "app/api", &format!("client_secret={value}")]);
    let idp = provider(closed_port(), &value);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut seen = Seen::default();
    let reference = "vault://secret/app/api#client_secret";
    let p = TestProfile::client_credentials("vaulted", &idp.url("/token"), "cc-rotating").set("secret_ref", reference);
    let args = p.add_args();
    ok(seen.run(d, &args.iter().map(String::as_str).collect::<Vec<_>>(), &[]));
    // Its certificate is from a CA no system trusts: refused until VAULT_CACERT names it.
    let run = seen.run(d, &["token", "vaulted"], &[("VAULT_ADDR", bao.addr.as_str()), ("VAULT_TOKEN", token.as_str())]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(reference) && run.stderr.contains("cannot reach the vault"), "{}", run.stderr);
    // The token from the home folder's .vault-token, as a vault sign-in leaves it.
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join(".vault-token"), format!("{token}\n")).unwrap();
    let home_path = home.path().to_str().unwrap();
    let env = [("VAULT_ADDR", bao.addr.as_str()), ("VAULT_CACERT", bao.ca.as_deref().unwrap()), ("HOME", home_path)];
    ok(seen.run(d, &["token", "vaulted", "--json"], &env));
    seen.assert_never(d, &[&value, &token]);
}

#[test]
fn a_vault_namespace_is_honoured() {
    let bao = Bao::start();
    bao.cli(&["namespace", "create", "team"]);
    bao.cli(&["secrets", "enable", "-namespace=team", "-path=secret", "kv-v2"]);
    let value = secret_value(6);
    bao.cli(&["kv", "put", "-namespace=team", "-mount=secret", "app/api", &format!("client_secret={value}")]);
    let idp = provider(closed_port(), &value);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut seen = Seen::default();
    let p = TestProfile::client_credentials("vaulted", &idp.url("/token"), "cc-rotating")
        .set("secret_ref", "vault://secret/app/api#client_secret");
    let args = p.add_args();
    ok(seen.run(d, &args.iter().map(String::as_str).collect::<Vec<_>>(), &[]));
    let root = [("VAULT_ADDR", bao.addr.as_str()), ("VAULT_TOKEN", bao.root.as_str())];
    let run = seen.run(d, &["token", "vaulted"], &root);
    assert_eq!(run.code, 2, "the root namespace holds no such secret: {}", run.stderr);
    assert!(run.stderr.contains("no such path"), "{}", run.stderr);
    let in_team = [root[0], root[1], ("VAULT_NAMESPACE", "team")];
    ok(seen.run(d, &["token", "vaulted", "--json"], &in_team));
    seen.assert_never(d, &[&value]);
}
