//! The IPC wiring, exercised through tauri's mock runtime (no window, no display): the
//! commands the UI calls exist, take the arguments the UI sends, and fail as `{code,
//! message, field}`. Secrets go to the core's in-memory store here (the keyring itself is
//! tested in `store.rs` and the core's `keyring.rs`).
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::sync::Arc;

use common::TestProfile;
use oauthdesk_app::{with_commands, AppState};
use oauthdesk_core::Desk;
use oauthdesk_core::MemorySecrets;
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::WebviewWindow;

struct Harness {
    _dir: tempfile::TempDir,
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let desk = Arc::new(Desk::open(dir.path(), Arc::new(MemorySecrets::default())).unwrap());
    let app = with_commands(mock_builder()).manage(AppState::new(desk)).build(mock_context(noop_assets())).unwrap();
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    Harness { _dir: dir, _app: app, window }
}

impl Harness {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = common::invoke_request(cmd, args);
        get_ipc_response(&self.window, request).map(|b| b.deserialize::<Value>().unwrap())
    }
}

/// The arguments of `profile_create` for a public client (no secret).
fn public_client(handle: &str) -> Value {
    let profile = TestProfile::new("custom-oauth2", handle)
        .label("Local IdP")
        .set("authorize_url", "https://idp.example.com/authorize")
        .set("token_url", "https://idp.example.com/token")
        .set("client_id", "desk-cli");
    json!({ "profile": profile.json() })
}

#[test]
fn templates_lists_every_template() {
    let h = harness();
    let templates = h.call("templates", json!({})).unwrap();
    let ids: Vec<&str> = templates.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, common::TEMPLATE_IDS);
    // The window lists the legacy one only when asked: it is marked.
    assert_eq!(templates[7]["legacy"], true);
}

#[test]
fn a_bad_handle_comes_back_as_a_field_error() {
    let h = harness();
    let err = h.call("profile_create", public_client("Local IdP")).unwrap_err();
    assert_eq!(err["code"], "invalid_input");
    assert_eq!(err["field"], "handle");
    assert!(err["message"].as_str().unwrap().starts_with("handle: "), "{err}");
    assert_eq!(h.call("profiles_list", json!({})).unwrap(), json!([]), "nothing was stored");
}

#[test]
fn create_edit_list_export_and_import_round_trip() {
    let h = harness();
    let created = h.call("profile_create", public_client("idp")).unwrap();
    assert_eq!(created["client_secret"], "not set");
    assert_eq!(created["fields"]["pkce"], "true");

    let changes = json!({ "handle": "idp", "changes": { "label": "Renamed", "fields": { "scopes": "openid  email" } } });
    let updated = h.call("profile_update", changes).unwrap();
    assert_eq!(updated["label"], "Renamed");
    assert_eq!(updated["fields"]["scopes"], "openid email");
    assert_eq!(updated["fields"]["client_id"], "desk-cli", "fields not named keep their value");

    // The list holds what its items show, and no field.
    let list = h.call("profiles_list", json!({})).unwrap();
    assert_eq!(
        list,
        json!([{ "handle": "idp", "label": "Renamed", "template": updated["template"], "connection": updated["connection"] }])
    );

    let export = h.call("profiles_export", json!({ "handles": [] })).unwrap();
    assert_eq!(export["format"], "oauthdesk-profiles");
    let err = h.call("profiles_import", json!({ "json": export.to_string() })).unwrap_err();
    assert_eq!(err["code"], "import");
    assert!(err["message"].as_str().unwrap().contains("'idp'"), "{err}");

    h.call("profile_remove", json!({ "handle": "idp" })).unwrap();
    let imported = h.call("profiles_import", json!({ "json": export.to_string() })).unwrap();
    assert_eq!(imported, json!(["idp"]));
}

#[test]
fn a_secret_set_in_the_window_is_sealed_and_rekey_keeps_it() {
    let h = harness();
    let profile = TestProfile::client_credentials("api", "https://auth.example.com/t", "c").secret("window-secret").json();
    let created = h.call("profile_create", json!({ "profile": profile })).unwrap();
    assert_eq!(created["client_secret"], "set");
    let r = h.call("store_rekey", json!({})).unwrap();
    assert_eq!((r["resealed"].as_u64(), r["dropped"].as_u64()), (Some(1), Some(0)), "{r}");
    assert_eq!(h.call("profile_get", json!({ "handle": "api" })).unwrap()["client_secret"], "set");
}

#[test]
fn paste_an_error_and_learn_more_take_text_and_entry_ids_only() {
    let h = harness();
    let providers = h.call("knowledge_providers", json!({})).unwrap();
    let ids: Vec<&str> = providers.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"salesforce") && ids.contains(&"keycloak"), "{ids:?}");
    let text = r#"{"error":"invalid_grant","error_description":"no client credentials user enabled"}"#;
    let e = h.call("error_explain", json!({ "text": text, "provider": "salesforce" })).unwrap();
    assert_eq!((e["provider"].as_str(), e["knowledge"].as_str()), (Some("Salesforce"), Some("salesforce-no-run-as-user")), "{e}");
    // Another provider named: the generic entry, never Salesforce's.
    let e = h.call("error_explain", json!({ "text": text, "provider": "okta" })).unwrap();
    assert!(e["knowledge"].as_str().unwrap().starts_with("rfc6749-"), "{e}");
    let err = h.call("error_explain", json!({ "text": " ", "provider": null })).unwrap_err();
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("invalid_input"), Some("text")));
    // Learn more opens a knowledge-base link by the entry's id; anything else is refused,
    // so the page can never make the app open an address of its choosing.
    let err = h.call("knowledge_open", json!({ "entry": "https://evil.example/" })).unwrap_err();
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("invalid_input"), Some("entry")));
}

/// Learn more opens what a diagnosis names: every knowledge-base entry and every finding
/// (the window passes a finding's id when no entry explained the failure).
#[test]
fn learn_more_opens_every_entry_and_every_finding_by_id() {
    // No browser is started here: the command answers whether one opened.
    std::env::set_var("OAUTHDESK_BROWSER", "none");
    let h = harness();
    let entries = oauthdesk_core::knowledge_entries().iter().map(|e| e.id.clone());
    let findings = oauthdesk_core::test_support::knowledge::findings::all().iter().map(|f| f.id.clone());
    let ids: Vec<String> = entries.chain(findings).collect();
    assert!(ids.len() > 100, "{}", ids.len());
    for id in ids {
        let opened = h.call("knowledge_open", json!({ "entry": id })).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(opened, json!(false), "{id}");
    }
}

/// No command result carries a secret: a stand-in provider echoes the client secret and
/// every token it issued (an earlier one too), in every spelling, in bodies, headers and
/// error descriptions; nothing the window receives, results or errors, holds any of it.
#[test]
fn no_command_result_carries_a_secret() {
    let echo = common::echo::Echo::start();
    let h = harness();
    let secret = "S-ipc+secret/ with &odd% \"chars\" é😀 <b>x</b>";
    echo.state.lock().unwrap().secrets.push(("ipc client".into(), secret.into()));
    let profile = TestProfile::client_credentials("ipc", &echo.url("/token"), "ipc client")
        .set("client_auth", "basic")
        .set("test_url", echo.url("/me"))
        .secret(secret)
        .json();
    let mut shown = Vec::new();
    let mut call = |cmd: &str, args: Value| {
        let answer = h.call(cmd, args);
        shown.push(format!("{cmd}: {}", answer.as_ref().unwrap_or_else(|e| e)));
        answer
    };
    call("profile_create", json!({ "profile": profile })).unwrap();
    let first = call("profile_connect", json!({ "handle": "ipc", "force": false })).unwrap();
    assert_eq!(first["test"]["status"], 401, "{first}");
    call("profile_connect", json!({ "handle": "ipc", "force": true })).unwrap();
    call("profile_token_view", json!({ "handle": "ipc" })).unwrap();
    let _ = call("profile_token_reveal", json!({ "handle": "ipc" }));
    call("profile_diagnose", json!({ "handle": "ipc" })).unwrap();
    call("profile_history", json!({ "handle": "ipc" })).unwrap();
    call("profile_get", json!({ "handle": "ipc" })).unwrap();
    call("profiles_list", json!({})).unwrap();
    call("profiles_export", json!({ "handles": [] })).unwrap();
    let pasted = echo.state.lock().unwrap().needles().join("\n");
    let _ = call(
        "error_explain",
        json!({ "text": format!("{{\"error\":\"invalid_client\",\"error_description\":{}}}", json!(pasted)), "provider": null }),
    );
    echo.state.lock().unwrap().refuse = true;
    let refused = call("profile_connect", json!({ "handle": "ipc", "force": true }));
    assert!(refused.is_err(), "{refused:?}");
    call("profile_history", json!({ "handle": "ipc" })).unwrap();
    let needles = echo.state.lock().unwrap().needles();
    assert!(echo.state.lock().unwrap().issued.len() >= 2);
    let all = shown.join("\n");
    assert!(all.contains("[redacted"), "the echoes were there, redacted");
    let left = common::spellings::survivors(&all, &needles);
    assert!(left.is_empty(), "command results show {left:?}");
}

/// The Radar panel's commands: the list as the core makes it, and a source opened by the
/// warning's kind only (never an address the page chooses).
#[test]
fn the_radar_lists_warnings_and_opens_sources_by_kind_only() {
    let h = harness();
    assert_eq!(h.call("radar_list", json!({})).unwrap(), json!({ "warnings": [] }));
    for (handle, org) in [("org-a", "https://org-a.my.salesforce.com"), ("org-b", "https://org-b.my.salesforce.com")] {
        let p = TestProfile::new("salesforce-authorization-code", handle)
            .set("client_id", "3MVG9shared")
            .set("my_domain", org)
            .set("pkce", "false");
        h.call("profile_create", json!({ "profile": p.json() })).unwrap();
    }
    let r = h.call("radar_list", json!({})).unwrap();
    let listed: Vec<(&str, &str)> =
        r["warnings"].as_array().unwrap().iter().map(|w| (w["handle"].as_str().unwrap(), w["kind"].as_str().unwrap())).collect();
    assert_eq!(listed, [("org-a", "pkce_required"), ("org-b", "pkce_required")]);
    assert_eq!(r["warnings"][0]["date"], "2026-05-11T00:00:00Z");
    let err = h.call("radar_source_open", json!({ "kind": "https://evil.example/" })).unwrap_err();
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("invalid_input"), Some("kind")));
}
