//! The sync against a folder on disk (no Git: the Git round trip is the app's suite).

use std::path::Path;

use super::format::{self, TeamProfile};
use super::*;
use crate::desk::test_support::{desk, profile};
use crate::error::Error;
use crate::model::{Fields, SecretState};
use crate::profile::ProfileChanges;
use crate::secret::ClientSecret;
use crate::template;

fn cc(handle: &str, host: &str, label: &str) -> TeamProfile {
    let t = template::find(template::CLIENT_CREDENTIALS).unwrap();
    let fields: Fields = [("token_url", format!("https://{host}/token")), ("client_id", format!("id-{handle}"))]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let fields = crate::profile::check_fields(t, &fields, true).unwrap();
    TeamProfile { handle: handle.into(), label: label.into(), template: t.id.clone(), fields }
}

fn write(dir: &Path, p: &TeamProfile) {
    format::write_atomic(&format::profile_file(dir, &p.handle), &format::profile_json(p).unwrap()).unwrap();
}

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path()).unwrap();
    dir
}

fn outcomes(r: &SyncReport) -> Vec<(String, SyncOutcome)> {
    r.entries.iter().map(|e| (e.handle.clone(), e.outcome)).collect()
}

#[test]
fn sync_adds_changes_and_removes_and_reports_each() {
    let (_d, desk) = desk();
    let team = folder();
    let labels = ["Prod ✓", "日本語", "quote \" back\\slash", "plain"];
    for (i, label) in labels.iter().enumerate() {
        write(team.path(), &cc(&format!("api-{i}"), "auth.example.com", label));
    }
    let r = desk.team_sync(team.path(), SyncOptions::default()).unwrap();
    assert!(r.entries.iter().all(|e| e.outcome == SyncOutcome::Added), "{r:?}");
    assert_eq!(r.entries.len(), labels.len());
    let shown = desk.get("api-1").unwrap();
    assert_eq!(shown.label, "日本語");
    assert_eq!(shown.team.as_ref().map(|t| t.dir.clone()), Some(team.path().canonicalize().unwrap().to_string_lossy().to_string()));
    assert!(shown.unconfirmed.is_empty(), "a synced profile's endpoints are taken as the team defined them");

    // Unchanged, then a label and a field changed, then one removed.
    let r = desk.team_sync(team.path(), SyncOptions::default()).unwrap();
    assert!(r.entries.iter().all(|e| e.outcome == SyncOutcome::Unchanged), "{r:?}");
    let mut changed = cc("api-0", "auth.example.com", "Renamed");
    changed.fields.insert("scopes".into(), "read write".into());
    write(team.path(), &changed);
    std::fs::remove_file(format::profile_file(team.path(), "api-3")).unwrap();
    let r = desk.team_sync(team.path(), SyncOptions::default()).unwrap();
    let e0 = r.entries.iter().find(|e| e.handle == "api-0").unwrap();
    assert_eq!(e0.outcome, SyncOutcome::Changed);
    assert_eq!(e0.changed, ["label", "scopes"]);
    assert_eq!(desk.get("api-0").unwrap().label, "Renamed");
    assert_eq!(r.entries.iter().find(|e| e.handle == "api-3").unwrap().outcome, SyncOutcome::Removed);
    assert!(matches!(desk.get("api-3"), Err(Error::NotFound(_))));
}

#[test]
fn a_moved_token_url_waits_for_confirmation_and_the_rest_is_applied() {
    let (_d, desk) = desk();
    let team = folder();
    write(team.path(), &cc("moving", "auth.example.com", "Moving"));
    write(team.path(), &cc("staying", "auth.example.com", "Staying"));
    desk.team_sync(team.path(), SyncOptions::default()).unwrap();
    write(team.path(), &cc("moving", "evil.example.net", "Moving"));
    write(team.path(), &cc("staying", "auth.example.com", "Staying still"));
    let r = desk.team_sync(team.path(), SyncOptions::default()).unwrap();
    assert_eq!(outcomes(&r), [("moving".into(), SyncOutcome::NeedsConfirmation), ("staying".into(), SyncOutcome::Changed)]);
    let e = &r.entries[0];
    assert_eq!(e.changed, ["token_url"]);
    assert!(e.why.contains("evil.example.net"), "{}", e.why);
    assert_eq!(desk.get("moving").unwrap().fields["token_url"], "https://auth.example.com/token", "left as it was");
    assert!(r.pending());
    // Confirmed: applied, and nothing left unconfirmed.
    let r = desk.team_sync(team.path(), SyncOptions { confirm_moved: true }).unwrap();
    assert_eq!(r.entries[0].outcome, SyncOutcome::Changed);
    let p = desk.get("moving").unwrap();
    assert_eq!(p.fields["token_url"], "https://evil.example.net/token");
    assert!(p.unconfirmed.is_empty(), "{:?}", p.unconfirmed);
}

#[test]
fn profiles_not_from_the_folder_are_left_alone_and_a_same_handle_is_a_conflict() {
    let (_d, desk) = desk();
    let t = template::find(template::CLIENT_CREDENTIALS).unwrap();
    desk.create(profile(t, "mine", "https://mine.example.com", &Fields::new())).unwrap();
    desk.create(profile(t, "clash", "https://mine.example.com", &Fields::new())).unwrap();
    let before_mine = desk.get("mine").unwrap();
    let team = folder();
    write(team.path(), &cc("clash", "auth.example.com", "Team's"));
    write(team.path(), &cc("theirs", "auth.example.com", "Team's"));
    let r = desk.team_sync(team.path(), SyncOptions { confirm_moved: true }).unwrap();
    assert_eq!(outcomes(&r), [("clash".into(), SyncOutcome::Conflict), ("theirs".into(), SyncOutcome::Added)]);
    let clash = desk.get("clash").unwrap();
    assert_eq!((clash.label.as_str(), clash.team.is_none()), ("clash", true), "never overwritten");
    assert_eq!(clash.client_secret, SecretState::Set);
    // An empty folder removes its own profiles only.
    std::fs::remove_file(format::profile_file(team.path(), "theirs")).unwrap();
    std::fs::remove_file(format::profile_file(team.path(), "clash")).unwrap();
    let r = desk.team_sync(team.path(), SyncOptions::default()).unwrap();
    assert_eq!(outcomes(&r), [("theirs".into(), SyncOutcome::Removed)]);
    let after_mine = desk.get("mine").unwrap();
    assert_eq!((after_mine.fields, after_mine.updated_at), (before_mine.fields, before_mine.updated_at));
    assert_eq!(desk.client_secret("clash").unwrap().unwrap().expose(), "s");
}

#[test]
fn a_bad_file_changes_nothing() {
    let (_d, desk) = desk();
    let team = folder();
    write(team.path(), &cc("good", "auth.example.com", "Good"));
    desk.team_sync(team.path(), SyncOptions::default()).unwrap();
    write(team.path(), &cc("good", "auth.example.com", "Good, renamed"));
    write(team.path(), &cc("new-one", "auth.example.com", "New"));
    let bad = format::profile_file(team.path(), "broken");
    let bads = [
        "{\"version\":1,\"handle\":\"broken\",\"template\":\"no-such\"}",
        "{\"version\":1,\"handle\":\"other\",\"template\":\"client-credentials\"}",
        "{\"version\":7,\"handle\":\"broken\",\"template\":\"client-credentials\"}",
        "{\"version\":1,\"handle\":\"broken\",\"template\":\"client-credentials\",\"fields\":{\"client_id\":\"c\",\"token_url\":\"https://a.example.com/t\"},\"client_secret\":\"s3cr3t-value\"}",
        "{ not json",
    ];
    for text in bads {
        std::fs::write(&bad, text).unwrap();
        let err = desk.team_sync(team.path(), SyncOptions::default()).unwrap_err();
        assert!(err.to_string().contains("broken.json"), "{err}");
        assert!(err.field().is_some(), "{err}");
        assert_eq!(desk.get("good").unwrap().label, "Good", "{text}");
        assert!(matches!(desk.get("new-one"), Err(Error::NotFound(_))), "{text}");
    }
    // Not a team folder at all: refused before anything is read (it would remove everything).
    std::fs::remove_file(format::folder_file(team.path())).unwrap();
    std::fs::remove_file(&bad).unwrap();
    let err = desk.team_sync(team.path(), SyncOptions::default()).unwrap_err();
    assert_eq!(err.field(), Some("dir"), "{err}");
    assert_eq!(desk.get("good").unwrap().label, "Good");
}

#[test]
fn export_writes_definitions_only_and_an_edit_writes_the_file_back() {
    let (_d, desk) = desk();
    let t = template::find(template::CLIENT_CREDENTIALS).unwrap();
    let typed = "typed-secret-never-in-a-team-file-1234";
    let mut typed_profile = profile(t, "typed", "https://auth.example.com", &Fields::new());
    typed_profile.client_secret = Some(ClientSecret::new(typed));
    desk.create(typed_profile).unwrap();
    let mut by_ref = profile(t, "by-ref", "https://auth.example.com", &Fields::from([("secret_ref".into(), "env:TEAM_SECRET".into())]));
    by_ref.client_secret = None;
    desk.create(by_ref).unwrap();
    let team = tempfile::tempdir().unwrap();
    let out = desk.team_export(&[], team.path()).unwrap();
    let left_out: Vec<(&str, bool)> = out.files.iter().map(|f| (f.handle.as_str(), f.secret_left_out)).collect();
    assert_eq!(left_out, [("by-ref", false), ("typed", true)]);
    let text = std::fs::read_to_string(format::profile_file(team.path(), "by-ref")).unwrap();
    assert!(text.contains("\"secret_ref\": \"env:TEAM_SECRET\""), "{text}");
    let all: String = out.files.iter().map(|f| std::fs::read_to_string(&f.file).unwrap()).collect();
    assert!(!all.contains(typed));
    assert!(desk.get("typed").unwrap().team.is_some());
    // The folder's own sync sees nothing to do.
    let r = desk.team_sync(team.path(), SyncOptions::default()).unwrap();
    assert!(r.entries.iter().all(|e| e.outcome == SyncOutcome::Unchanged), "{r:?}");
    // An edit writes the file back.
    let changes = ProfileChanges { label: Some("Edited here".into()), ..Default::default() };
    let edited = desk.edit("typed", changes).unwrap();
    let file = edited.team_file.unwrap();
    assert!(std::fs::read_to_string(&file).unwrap().contains("\"label\": \"Edited here\""));
    assert!(!std::fs::read_to_string(&file).unwrap().contains(typed));
    // A profile of this desktop's own writes nothing.
    desk.create(profile(t, "local", "https://auth.example.com", &Fields::new())).unwrap();
    let edited = desk.edit("local", ProfileChanges { label: Some("L".into()), ..Default::default() }).unwrap();
    assert_eq!(edited.team_file, None);
    assert!(!format::profile_file(team.path(), "local").exists());
}

#[test]
fn init_refuses_another_format_and_keeps_its_own() {
    let dir = tempfile::tempdir().unwrap();
    assert!(init(dir.path()).unwrap().created);
    assert!(!init(dir.path()).unwrap().created);
    std::fs::write(format::folder_file(dir.path()), "{\"format\":\"oauthdesk-profiles\",\"version\":1}").unwrap();
    assert_eq!(init(dir.path()).unwrap_err().field(), Some("format"));
}
