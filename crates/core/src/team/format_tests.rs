use std::path::PathBuf;

use super::*;
use crate::template;

fn path(handle: &str) -> PathBuf {
    PathBuf::from(format!("/team/profiles/{handle}.json"))
}

/// A profile of every template, its required fields filled with plausible values.
fn every_template() -> Vec<TeamProfile> {
    template::all()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut fields = Fields::new();
            for f in t.fields.iter().filter(|f| f.required && f.kind != FieldKind::Secret) {
                let v = match &f.default {
                    Some(d) => d.clone(),
                    None => sample(t, &f.name, &f.kind),
                };
                fields.insert(f.name.clone(), v);
            }
            if t.secret_field().is_some() && i % 2 == 0 {
                fields.insert(source::FIELD.into(), format!("env:TEAM_SECRET_{i}"));
            }
            let handle = format!("p{i}-{}", t.id.replace('_', "-"));
            let label = ["Ünïcødé prod ✓", "  spaced  ", "quote \" and \\ slash", "日本語のラベル", ""][i % 5];
            let fields = profile::check_fields(t, &fields, true).unwrap_or_else(|e| panic!("{}: {e}", t.id));
            TeamProfile { label: profile::label(Some(label), &handle).unwrap(), handle, template: t.id.clone(), fields }
        })
        .collect()
}

fn sample(t: &Template, name: &str, kind: &FieldKind) -> String {
    if t.rules().base_field() == Some(name) {
        return match t.id.as_str() {
            id if id.contains("salesforce") => "https://acme.my.salesforce.com".into(),
            _ => "https://acme.example.com".into(),
        };
    }
    match kind {
        FieldKind::Url => format!("https://auth.example.com/{name}"),
        _ => format!("value-{name}"),
    }
}

#[test]
fn every_template_round_trips_through_its_file_with_sorted_keys_one_field_a_line() {
    for p in every_template() {
        let text = profile_json(&p).unwrap();
        assert!(text.ends_with("}\n"), "{text}");
        let back = parse_profile(&path(&p.handle), &text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", p.handle));
        assert_eq!(back, p);
        // Sorted keys at every level, one key a line.
        let keys: Vec<&str> =
            text.lines().filter_map(|l| l.trim().strip_prefix('"')).filter_map(|l| l.split_once("\":")).map(|(k, _)| k).collect();
        let top: Vec<&str> = keys.iter().copied().filter(|k| PROFILE_KEYS.contains(k)).collect();
        let mut sorted_top = top.clone();
        sorted_top.sort_unstable();
        assert_eq!(top, sorted_top, "{text}");
        let fields: Vec<&String> = p.fields.keys().filter(|k| *k != source::FIELD).collect();
        for (line, name) in text.lines().skip_while(|l| !l.contains("\"fields\"")).skip(1).zip(fields) {
            assert!(line.trim_start().starts_with(&format!("\"{name}\"")), "{line} / {name}");
        }
        assert_eq!(p.fields.contains_key(source::FIELD), text.contains("\"secret_ref\""));
    }
}

#[test]
fn a_bad_file_names_the_file_and_the_field() {
    let good = every_template().remove(0);
    let text = profile_json(&good).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change)> = vec![
        ("template", Box::new(|v| v["template"] = "no-such-template".into())),
        ("handle", Box::new(|v| v["handle"] = "Bad Handle".into())),
        ("handle", Box::new(|v| v["handle"] = "other-name".into())),
        ("version", Box::new(|v| v["version"] = 99.into())),
        ("client_secret", Box::new(|v| v["client_secret"] = "hunter22-very-secret".into())),
        ("access_token", Box::new(|v| v["access_token"] = "eyJ".into())),
        ("extra", Box::new(|v| v["extra"] = "x".into())),
        ("fields.client_secret", Box::new(|v| v["fields"]["client_secret"] = "x".into())),
        ("fields.nope", Box::new(|v| v["fields"]["nope"] = "x".into())),
        ("secret_ref", Box::new(|v| v["secret_ref"] = "nonsense://x".into())),
        ("label", Box::new(|v| v["label"] = "\u{202E}evil".into())),
    ];
    let file = path(&good.handle);
    for (field, change) in cases {
        let mut bad_value = value.clone();
        change(&mut bad_value);
        let err = parse_profile(&file, &serde_json::to_string(&bad_value).unwrap()).unwrap_err();
        assert_eq!(err.field(), Some(field), "{err}");
        assert!(err.to_string().contains(&file.display().to_string()), "{err}");
    }
    assert!(parse_profile(&file, "not json").unwrap_err().to_string().contains(&file.display().to_string()));
}

#[test]
fn a_secret_value_is_never_written_nor_read() {
    let value = "team-format-test-secret-value-0123456789";
    crate::secret::redact::register(value);
    let mut p = every_template().remove(0);
    let name = p.fields.keys().find(|k| *k != source::FIELD).unwrap().clone();
    p.fields.insert(name.clone(), value.into());
    let err = profile_json(&p).unwrap_err();
    assert_eq!(err.field(), Some(format!("fields.{name}").as_str()), "{err}");
    assert!(!err.to_string().contains(value));
    let mut clean = every_template().remove(0);
    clean.fields.insert(name.clone(), "placeholder".into());
    let text = profile_json(&clean).unwrap().replace("placeholder", value);
    let err = parse_profile(&path(&clean.handle), &text).unwrap_err();
    assert!(err.to_string().contains(&format!("fields.{name}")), "{err}");
    assert!(!err.to_string().contains(value));
}

#[test]
fn the_folder_file_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    assert!(!check_folder(dir.path()).unwrap());
    write_atomic(&folder_file(dir.path()), &folder_json()).unwrap();
    assert!(check_folder(dir.path()).unwrap());
    std::fs::write(folder_file(dir.path()), "{\"format\":\"oauthdesk-team\",\"version\":2}").unwrap();
    assert_eq!(check_folder(dir.path()).unwrap_err().field(), Some("version"));
    std::fs::write(folder_file(dir.path()), "{\"format\":\"something-else\",\"version\":1}").unwrap();
    assert_eq!(check_folder(dir.path()).unwrap_err().field(), Some("format"));
}
