//! A profile's secret by reference, in the store: set, changed, replaced by a typed value,
//! read and kept, read again after a refusal; a source that fails keeps nothing.

use std::sync::Arc;

use super::Desk;
use crate::error::{Error, Need};
use crate::model::{Fields, SecretState};
use crate::profile::{NewProfile, ProfileChanges};
use crate::secret::{ClientSecret, MemorySecrets};

fn desk() -> (tempfile::TempDir, Desk) {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
    (dir, desk)
}

fn new(handle: &str, reference: Option<&str>, secret: Option<&str>) -> NewProfile {
    let mut fields = Fields::from([("token_url".into(), "https://auth.example.com/token".into()), ("client_id".into(), "client".into())]);
    if let Some(r) = reference {
        fields.insert("secret_ref".into(), r.into());
    }
    super::test_support::client_credentials(handle, fields, secret)
}

fn set_ref(desk: &Desk, handle: &str, reference: &str) -> crate::error::Result<crate::model::Profile> {
    desk.update(handle, ProfileChanges { fields: Fields::from([("secret_ref".into(), reference.into())]), ..Default::default() })
}

fn kept(desk: &Desk, handle: &str) -> Option<String> {
    desk.client_secret(handle).unwrap().map(|s| s.expose().to_string())
}

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

#[test]
fn a_reference_stands_for_the_secret_and_is_read_then_kept() {
    let (dir, desk) = desk();
    let file = dir.path().join("secret");
    std::fs::write(&file, "first-value-from-the-file\n").unwrap();
    let reference = format!("file:{}", file.display());
    let p = desk.create(new("ref", Some(&reference), None)).unwrap();
    assert_eq!((p.secret_ref.as_deref(), p.client_secret), (Some(reference.as_str()), SecretState::NotSet));
    assert_eq!(kept(&desk, "ref"), None, "nothing is read before a token is needed");

    block(desk.ensure_referenced_secret("ref")).unwrap();
    assert_eq!(kept(&desk, "ref").as_deref(), Some("first-value-from-the-file"));
    // Kept: a changed source is not read again while the kept value serves.
    std::fs::write(&file, "second-value-from-the-file").unwrap();
    block(desk.ensure_referenced_secret("ref")).unwrap();
    assert_eq!(kept(&desk, "ref").as_deref(), Some("first-value-from-the-file"));
    // Refused: read again, and a new value kept; the same value again is no news.
    let used = ClientSecret::new("first-value-from-the-file");
    assert!(block(desk.reread_reference("ref", Some(&used))).unwrap());
    assert_eq!(kept(&desk, "ref").as_deref(), Some("second-value-from-the-file"));
    let used = ClientSecret::new("second-value-from-the-file");
    assert!(!block(desk.reread_reference("ref", Some(&used))).unwrap());

    // Another place: the kept value is dropped, and the new place read when needed.
    let other = dir.path().join("other");
    std::fs::write(&other, "third-value-elsewhere").unwrap();
    set_ref(&desk, "ref", &format!("file:{}", other.display())).unwrap();
    assert_eq!(kept(&desk, "ref"), None);
    block(desk.ensure_referenced_secret("ref")).unwrap();
    assert_eq!(kept(&desk, "ref").as_deref(), Some("third-value-elsewhere"));

    // A value typed in replaces the reference.
    let p = desk.update("ref", ProfileChanges { client_secret: Some(ClientSecret::new("typed-in-value")), ..Default::default() }).unwrap();
    assert_eq!((p.secret_ref, p.client_secret), (None, SecretState::Set));
    assert!(!p.fields.contains_key("secret_ref"));
    assert_eq!(kept(&desk, "ref").as_deref(), Some("typed-in-value"));
}

#[test]
fn a_source_that_fails_keeps_nothing_and_names_the_reference() {
    let (dir, desk) = desk();
    let missing = format!("file:{}", dir.path().join("missing").display());
    desk.create(new("ref", Some(&missing), None)).unwrap();
    let e = block(desk.ensure_referenced_secret("ref")).unwrap_err();
    let Error::NotReady { need: Need::SecretSource, ref message, .. } = e else { panic!("{e:?}") };
    assert!(message.contains(&missing), "{message}");
    assert_eq!(e.field(), Some("secret_ref"));
    assert_eq!(kept(&desk, "ref"), None);
    // A value that cannot be a secret is refused the same way.
    let two_lines = dir.path().join("two-lines");
    std::fs::write(&two_lines, "line-one\nline-two\n").unwrap();
    set_ref(&desk, "ref", &format!("file:{}", two_lines.display())).unwrap();
    let e = block(desk.ensure_referenced_secret("ref")).unwrap_err();
    assert!(e.to_string().contains("line break"), "{e}");
    assert_eq!(kept(&desk, "ref"), None);
}

#[test]
fn a_reference_is_checked_as_it_is_set_and_never_with_a_typed_secret() {
    let (_dir, desk) = desk();
    for bad in ["not-a-reference", "vault://secret/app", "env:1X", "file:relative"] {
        let e = desk.create(new("bad", Some(bad), None)).unwrap_err();
        assert_eq!(e.field(), Some("secret_ref"), "{bad}: {e}");
    }
    let both = desk.create(new("both", Some("env:ACME"), Some("typed-value"))).unwrap_err();
    assert_eq!(both.field(), Some("secret_ref"), "{both}");
    // The form is told so under the field, with every other problem.
    let found = crate::profile::problems(&new("both", Some("env:ACME"), Some("typed-value")), false, false);
    assert_eq!(found.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(), ["secret_ref"], "{found:?}");
    assert!(desk.list().unwrap().is_empty(), "nothing was made");
    // A reference counts as the secret a confidential client needs.
    desk.create(new("ok", Some("env:ACME"), None)).unwrap();
    let e = set_ref(&desk, "ok", "vault://kv#f").unwrap_err();
    assert_eq!(e.field(), Some("secret_ref"));
    assert_eq!(desk.get("ok").unwrap().secret_ref.as_deref(), Some("env:ACME"), "a bad change changes nothing");
    // Cleared: the profile then needs a typed secret again.
    assert_eq!(set_ref(&desk, "ok", "").unwrap_err().field(), Some("client_secret"));
    let typed_too = desk.update(
        "ok",
        ProfileChanges {
            fields: Fields::from([("secret_ref".into(), "env:OTHER".into())]),
            client_secret: Some(ClientSecret::new("typed-value")),
            ..Default::default()
        },
    );
    assert_eq!(typed_too.unwrap_err().field(), Some("secret_ref"));
}

#[test]
fn each_role_is_taken_where_its_secret_is_and_refused_elsewhere_by_its_own_field() {
    use crate::secret::source::Role;
    use crate::template::{self, Flow};
    for t in template::all() {
        for role in Role::ALL {
            let takes = match role {
                Role::ClientSecret => t.secret_field().is_some(),
                Role::Password => t.flow == Flow::Password,
                Role::PrivateKey | Role::KeyPassword => t.flow.signs_grant() || t.field("client_auth").is_some(),
            };
            assert_eq!(t.takes_reference(role), takes, "{} {role:?}", t.id);
            // The window is offered the same fields the rule takes (the client secret's has its own input).
            let offered = t.references.iter().any(|f| f.name == role.field());
            assert_eq!(offered, takes && role != Role::ClientSecret, "{} {role:?}", t.id);
            let got = crate::profile::check_role_reference(t, role, "env:SOME_VALUE");
            match takes {
                true => assert_eq!(got.unwrap().as_deref(), Some("env:SOME_VALUE"), "{} {role:?}", t.id),
                false => assert_eq!(got.unwrap_err().field(), Some(role.field()), "{} {role:?}", t.id),
            }
            // Every role's field is checked by the one grammar, and blank clears it.
            if takes {
                assert_eq!(crate::profile::check_role_reference(t, role, "vault://secret").unwrap_err().field(), Some(role.field()));
                assert_eq!(crate::profile::check_role_reference(t, role, "  ").unwrap(), None);
            }
            assert_eq!(Role::of_field(role.field()), Some(role));
        }
    }
}

#[test]
fn a_key_by_reference_is_read_kept_replaced_when_rotated_and_dropped_when_moved() {
    let (dir, desk) = desk();
    let key_file = |name: &str, cn: &str| {
        let m = crate::pki::generate(crate::pki::Algorithm::Es256, None, cn).unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, format!("{}{}", m.key.expose(), m.cert.unwrap())).unwrap();
        path
    };
    let first = key_file("first.pem", "first");
    let mut fields = Fields::from([("token_url".into(), "https://auth.example.com/token".into()), ("client_id".into(), "client".into())]);
    fields.insert("client_auth".into(), "private_key_jwt".into());
    fields.insert("key_ref".into(), format!("file:{}", first.display()));
    desk.create(NewProfile { template: "client-credentials".into(), handle: "k".into(), label: None, fields, client_secret: None })
        .unwrap();
    assert!(desk.key_material("k").unwrap().is_none(), "nothing is read before it is needed");
    block(desk.ensure_references("k")).unwrap();
    let subject = |desk: &Desk| desk.key_show("k").unwrap().certificate.unwrap().subject;
    assert_eq!(subject(&desk), "CN=first");
    assert_eq!(desk.key_show("k").unwrap().reference, Some(format!("file:{}", first.display())));
    // Rotated at the source: kept until refused, then replaced outright (no previous key).
    let second = key_file("second.pem", "second");
    std::fs::copy(&second, &first).unwrap();
    block(desk.ensure_references("k")).unwrap();
    assert_eq!(subject(&desk), "CN=first");
    assert!(block(desk.reread_key("k")).unwrap());
    assert!(!block(desk.reread_key("k")).unwrap(), "the same key again is no news");
    let info = desk.key_show("k").unwrap();
    assert_eq!((info.certificate.unwrap().subject.as_str(), info.previous.is_none()), ("CN=second", true));
    // Moved: the kept key is dropped; a place with no key fails, names the field, keeps nothing.
    let text = dir.path().join("not-a-key");
    std::fs::write(&text, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap();
    let moved = format!("file:{}", text.display());
    desk.update("k", ProfileChanges { fields: Fields::from([("key_ref".into(), moved.clone())]), ..Default::default() }).unwrap();
    assert!(desk.key_material("k").unwrap().is_none());
    let e = block(desk.ensure_references("k")).unwrap_err();
    assert_eq!((e.field(), e.to_string().contains(&moved)), (Some("key_ref"), true), "{e}");
    assert!(desk.key_material("k").unwrap().is_none());
}
