use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

fn vars_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Sync {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name: &str| map.get(name).cloned()
}

fn block<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

#[test]
fn every_scheme_parses_to_its_place() {
    let cases: [(&str, Place); 6] = [
        (
            "vault://secret/app/one#client_secret",
            Place::Vault { mount: "secret".into(), path: vec!["app".into(), "one".into()], field: "client_secret".into() },
        ),
        ("vault://kv/x#f", Place::Vault { mount: "kv".into(), path: vec!["x".into()], field: "f".into() }),
        ("env:ACME_SECRET", Place::Env("ACME_SECRET".into())),
        ("file:/run/secrets/acme", Place::File("/run/secrets/acme".into())),
        ("file:~/acme.secret", Place::File("~/acme.secret".into())),
        ("op://Prod/Acme API/Admin/client secret", Place::OnePassword),
    ];
    for (text, place) in cases {
        let r = Reference::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(r.place(), &place, "{text}");
        assert_eq!(r.to_string(), text);
    }
    assert_eq!(Reference::parse("op://v/i/f").unwrap().kind(), "op");
}

#[test]
fn what_is_not_a_reference_says_why() {
    let cases = [
        ("", "is not a secret reference"),
        ("s3cret-value", "is not a secret reference"),
        ("https://vault.example.com/secret", "is not a secret reference"),
        ("vault://secret/app", "names no field"),
        ("vault://secret#f", "names a mount but no path"),
        ("vault://secret/app#", "names no field"),
        ("vault://secret//app#f", "empty segment"),
        ("vault://secret/app/#f", "empty segment"),
        ("vault://secret/../sys#f", "'..' segment"),
        ("vault://secret/a b#f", "character ' '"),
        ("vault://secret/a?version=1#f", "character '?'"),
        ("vault://secret/a#f#g", "holding '#'"),
        ("env:", "names no environment variable"),
        ("env:1ABC", "names no environment variable"),
        ("env:A-B", "names no environment variable"),
        ("file:relative/path", "names no full path"),
        ("file:~/", "names no full path"),
        ("op://vault/item", "is not op://"),
        ("op://a/b/c/d/e", "is not op://"),
        ("op://a/b/c?attribute=otp", "character '?'"),
        (" env:A", "starts or ends with a space"),
        ("env:A\n", "starts or ends with a space"),
        ("env:A\u{7}", "control character"),
    ];
    for (text, why) in cases {
        let e = Reference::parse(text).err().unwrap_or_else(|| panic!("{text:?} parsed"));
        assert!(e.contains(why), "{text:?}: {e}");
    }
    assert!(Reference::parse(&format!("env:{}", "A".repeat(MAX_REFERENCE))).unwrap_err().contains("longer than"));
}

proptest! {
    /// Any text at all is either a reference or a reason, never a panic; a reference reads
    /// back as written.
    #[test]
    fn any_text_parses_or_says_why(text in any::<String>()) {
        match Reference::parse(&text) {
            Ok(r) => prop_assert_eq!(r.as_str(), text.as_str()),
            Err(why) => prop_assert!(!why.is_empty()),
        }
    }

    /// Every vault reference made of allowed parts parses to those parts.
    #[test]
    fn vault_references_of_allowed_parts_parse(
        mount in "[a-z][a-z0-9_-]{0,10}",
        path in proptest::collection::vec("[A-Za-z0-9._@+=~:-]{1,12}", 1..5),
        field in "[A-Za-z0-9_ .-]{1,20}",
    ) {
        prop_assume!(path.iter().all(|s| s != "." && s != ".."));
        prop_assume!(field == field.trim());
        let text = format!("vault://{mount}/{}#{field}", path.join("/"));
        let r = Reference::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(r.place(), &Place::Vault { mount, path, field });
    }
}

#[test]
fn an_environment_variable_is_read_and_a_missing_one_named() {
    let r = Reference::parse("env:ACME_SECRET").unwrap();
    let got = block(read(&r, &vars_of(&[("ACME_SECRET", "from-the-environment")]))).unwrap();
    assert_eq!(got.expose(), "from-the-environment");
    let e = block(read(&r, &vars_of(&[]))).unwrap_err();
    assert_eq!(e.reason, Reason::NotConfigured);
    assert!(e.to_string().contains("env:ACME_SECRET") && e.to_string().contains("ACME_SECRET is not set"), "{e}");
    let e = block(read(&r, &vars_of(&[("ACME_SECRET", "")]))).unwrap_err();
    assert_eq!(e.reason, Reason::Unusable);
    let big = "x".repeat(MAX_VALUE + 1);
    assert_eq!(block(read(&r, &vars_of(&[("ACME_SECRET", &big)]))).unwrap_err().reason, Reason::TooLarge);
}

#[test]
fn a_file_is_read_without_its_final_line_break_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().to_string_lossy().to_string();
    let vars = vars_of(&[("HOME", &home)]);
    for (written, read_back) in
        [("file-secret-1\n", "file-secret-1"), ("file-secret-2\r\n", "file-secret-2"), ("file-secret-3", "file-secret-3")]
    {
        std::fs::write(dir.path().join("s"), written).unwrap();
        for text in [format!("file:{}", dir.path().join("s").display()), "file:~/s".to_string()] {
            let r = Reference::parse(&text).unwrap();
            assert_eq!(block(read(&r, &vars)).unwrap().expose(), read_back, "{text}");
        }
    }
    let reason = |text: String| block(read(&Reference::parse(&text).unwrap(), &vars)).unwrap_err();
    let e = reason(format!("file:{}", dir.path().join("missing").display()));
    assert_eq!(e.reason, Reason::NotFound, "{e}");
    assert_eq!(reason(format!("file:{}", dir.path().display())).reason, Reason::Unusable);
    std::fs::write(dir.path().join("big"), vec![b'x'; MAX_VALUE + 1]).unwrap();
    assert_eq!(reason(format!("file:{}", dir.path().join("big").display())).reason, Reason::TooLarge);
    std::fs::write(dir.path().join("bin"), [0xff, 0xfe, 0x00]).unwrap();
    assert_eq!(reason(format!("file:{}", dir.path().join("bin").display())).reason, Reason::Unusable);
    std::fs::write(dir.path().join("empty"), "\n").unwrap();
    assert_eq!(reason(format!("file:{}", dir.path().join("empty").display())).reason, Reason::Unusable);
    let no_home = block(read(&Reference::parse("file:~/s").unwrap(), &vars_of(&[]))).unwrap_err();
    assert_eq!(no_home.reason, Reason::NotConfigured);
}

#[cfg(unix)]
#[test]
fn the_1password_cli_is_run_with_the_reference_and_its_failures_named() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("op");
    let write = |body: &str| {
        // Written aside and moved in: a file still open for writing cannot be run.
        let aside = dir.path().join("op.new");
        std::fs::write(&aside, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&aside, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::rename(&aside, &script).unwrap();
    };
    let r = Reference::parse("op://Prod/Acme/credential").unwrap();
    let program = script.to_string_lossy().to_string();
    write(r#"[ "$1 $2 $3" = "read --no-newline op://Prod/Acme/credential" ] && printf 'from-1password' || exit 3"#);
    assert_eq!(block(local::op(&r, &program)).unwrap(), "from-1password");
    write(r#"echo '[ERROR] "Acme" isn'"'"'t an item in the "Prod" vault.' >&2; exit 1"#);
    let e = block(local::op(&r, &program)).unwrap_err();
    assert_eq!(e.reason, Reason::NotFound, "{e}");
    write("echo '[ERROR] something else' >&2; exit 1");
    let e = block(local::op(&r, &program)).unwrap_err();
    assert_eq!(e.reason, Reason::Failed);
    assert!(e.detail.contains("something else"), "{e}");
    let missing = dir.path().join("no-such-op").to_string_lossy().to_string();
    assert_eq!(block(local::op(&r, &missing)).unwrap_err().reason, Reason::NotInstalled);
}

#[test]
fn a_vault_reference_needs_its_address_and_a_token() {
    let r = Reference::parse("vault://secret/app#f").unwrap();
    let e = block(read(&r, &vars_of(&[]))).unwrap_err();
    assert_eq!(e.reason, Reason::NotConfigured);
    assert!(e.detail.contains("VAULT_ADDR"), "{e}");
    let e = block(read(&r, &vars_of(&[("VAULT_ADDR", "http://vault.example.com:8200"), ("VAULT_TOKEN", "t")]))).unwrap_err();
    assert!(e.detail.contains("plain http"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().to_string_lossy().to_string();
    let e = block(read(&r, &vars_of(&[("VAULT_ADDR", "http://127.0.0.1:9"), ("HOME", &home)]))).unwrap_err();
    assert_eq!(e.reason, Reason::NotConfigured);
    assert!(e.detail.contains("no vault token"), "{e}");
    // OpenBao's own names serve as well.
    let e = block(read(&r, &vars_of(&[("BAO_ADDR", "http://vault.example.com:8200"), ("BAO_TOKEN", "t")]))).unwrap_err();
    assert!(e.detail.contains("plain http"), "{e}");
    // A token, and nothing listens: unreachable, named with the address.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("http://127.0.0.1:{closed}");
    let e = block(read(&r, &vars_of(&[("VAULT_ADDR", &addr), ("VAULT_TOKEN", "vault-token-value")]))).unwrap_err();
    assert_eq!(e.reason, Reason::Unreachable, "{e}");
    assert!(e.to_string().contains(&addr) && !e.to_string().contains("vault-token-value"), "{e}");
}
