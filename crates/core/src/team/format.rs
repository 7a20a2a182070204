//! The team folder's files. `DIR/oauthdesk-team.json` says the folder is one (its format and
//! version); `DIR/profiles/<handle>.json` holds one profile's definition: its handle, label,
//! template, fields and, when its secret comes by reference, `secret_ref`. Never a secret
//! value, never a token: each user types or references their own secret, and keeps it and
//! their tokens in their own store.
//!
//! Files are written as pretty JSON with sorted keys, one field a line and a trailing
//! newline, so that a change to a profile is one changed line in a review. Every string
//! written goes through the redactor first, and a file whose text would change there (a
//! value this process knows as a secret) is refused, never written redacted.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::model::Fields;
use crate::profile;
use crate::secret::source;
use crate::template::{self, FieldKind, Template};

/// The folder file's name.
pub const FOLDER_FILE: &str = "oauthdesk-team.json";
/// The folder of profile files inside a team folder.
pub const PROFILES: &str = "profiles";
/// The folder file's `format`.
pub const FORMAT: &str = "oauthdesk-team";
/// The format version this build writes and reads up to (both files carry it).
pub const VERSION: u32 = 1;

/// The keys a profile file may hold.
const PROFILE_KEYS: [&str; 6] = ["fields", "handle", "label", "secret_ref", "template", "version"];

/// A profile's definition as a team file holds it, checked: a known template, a good handle,
/// fields the template accepts (defaults filled in, as the store keeps them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamProfile {
    pub handle: String,
    pub label: String,
    pub template: String,
    /// The fields, with `secret_ref` among them when the secret comes by reference (as the
    /// store keeps it).
    pub fields: Fields,
}

/// `DIR/oauthdesk-team.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FolderFile {
    format: String,
    version: u32,
}

/// The error of a bad team file: names the file and the field.
fn bad(file: &Path, field: &str, message: impl std::fmt::Display) -> Error {
    Error::invalid(field, format!("in {}: {message}", file.display()))
}

/// The folder file's path.
pub fn folder_file(dir: &Path) -> PathBuf {
    dir.join(FOLDER_FILE)
}

/// The path of `handle`'s file in the team folder `dir`.
pub fn profile_file(dir: &Path, handle: &str) -> PathBuf {
    dir.join(PROFILES).join(format!("{handle}.json"))
}

/// The folder file's text.
pub fn folder_json() -> String {
    let mut map = Map::new();
    map.insert("format".into(), Value::from(FORMAT));
    map.insert("version".into(), Value::from(VERSION));
    pretty(&Value::Object(map))
}

/// Checks that `dir` is a team folder this build reads: its folder file names the format and
/// a version no newer than [`VERSION`]. `Ok(false)` when the folder has no folder file.
pub fn check_folder(dir: &Path) -> Result<bool> {
    let path = folder_file(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::Io(std::io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display())))),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let file: FolderFile =
        serde_json::from_str(text).map_err(|e| bad(&path, "format", format!("not an OAuth Desk team folder file ({e})")))?;
    if file.format != FORMAT {
        return Err(bad(&path, "format", format!("the format is '{}', not '{FORMAT}'", file.format)));
    }
    check_version(&path, file.version)?;
    Ok(true)
}

fn check_version(path: &Path, version: u32) -> Result<()> {
    if version > VERSION {
        return Err(bad(
            path,
            "version",
            format!("format version {version} is newer than this OAuth Desk reads (up to {VERSION}); update OAuth Desk"),
        ));
    }
    if version == 0 {
        return Err(bad(path, "version", "format version 0 does not exist"));
    }
    Ok(())
}

/// Reads and checks one profile file. The file's name must be its handle's.
pub fn read_profile(path: &Path) -> Result<TeamProfile> {
    let named = |e: std::io::Error| Error::Io(std::io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display())));
    let text = std::fs::read_to_string(path).map_err(named)?;
    parse_profile(path, &text)
}

/// Checks one profile file's text (`path` names it in errors and gives the expected handle).
pub fn parse_profile(path: &Path, text: &str) -> Result<TeamProfile> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(text).map_err(|e| bad(path, "file", format!("not JSON ({e})")))?;
    let Value::Object(map) = value else { return Err(bad(path, "file", "not a JSON object")) };
    let version = match map.get("version") {
        Some(v) => v.as_u64().and_then(|v| u32::try_from(v).ok()).ok_or_else(|| bad(path, "version", "is not a whole number"))?,
        None => return Err(bad(path, "version", "is missing")),
    };
    check_version(path, version)?;
    for key in map.keys() {
        if key == "client_secret" || key.contains("password") || key.contains("token") {
            return Err(bad(path, key, "a team file never holds a secret or a token: each user types or references their own"));
        }
        if !PROFILE_KEYS.contains(&key.as_str()) {
            return Err(bad(path, key, format!("is not a key of a team profile file (its keys: {})", PROFILE_KEYS.join(", "))));
        }
    }
    let text_of = |key: &str| -> Result<Option<String>> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(path, key, "is not a string")),
        }
    };
    let handle = text_of("handle")?.ok_or_else(|| bad(path, "handle", "is missing"))?;
    crate::validate::handle(&handle).map_err(|m| bad(path, "handle", m))?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    if stem != handle {
        return Err(bad(
            path,
            "handle",
            format!("is '{handle}' but the file is named '{stem}.json': a profile's file is named after its handle"),
        ));
    }
    let template_id = text_of("template")?.ok_or_else(|| bad(path, "template", "is missing"))?;
    let template = template::find(&template_id).map_err(|e| bad(path, "template", e))?;
    let label = profile::label(text_of("label")?.as_deref(), &handle).map_err(|e| bad(path, "label", e))?;
    let mut fields = Fields::new();
    match map.get("fields") {
        None | Some(Value::Null) => {}
        Some(Value::Object(f)) => {
            for (name, v) in f {
                let Value::String(s) = v else { return Err(bad(path, &format!("fields.{name}"), "is not a string")) };
                if name == source::FIELD {
                    return Err(bad(path, &format!("fields.{name}"), "the secret reference is the file's own key secret_ref, not a field"));
                }
                fields.insert(name.clone(), s.clone());
            }
        }
        Some(_) => return Err(bad(path, "fields", "is not an object")),
    }
    if let Some(r) = text_of("secret_ref")? {
        fields.insert(source::FIELD.to_string(), r);
    }
    no_secret_in(path, template, &fields)?;
    // Each user brings their own secret, so the file is checked as if one were present.
    let fields = profile::check_fields(template, &fields, true).map_err(|e| in_file(path, e))?;
    Ok(TeamProfile { handle, label, template: template.id.clone(), fields })
}

/// A field error as the file's error.
fn in_file(path: &Path, e: Error) -> Error {
    match e {
        Error::Invalid { field, message } => {
            let field = if field == source::FIELD { field } else { format!("fields.{field}") };
            bad(path, &field, message)
        }
        other => bad(path, "fields", other),
    }
}

/// Refuses a value this process knows as a secret, and any field the template keeps secret.
fn no_secret_in(path: &Path, template: &Template, fields: &Fields) -> Result<()> {
    for (name, value) in fields {
        if template.field(name).is_some_and(|f| f.kind == FieldKind::Secret) {
            return Err(bad(
                path,
                &format!("fields.{name}"),
                "is a secret: a team file never holds one; each user types or references their own",
            ));
        }
        if crate::secret::redact::text(value) != *value {
            return Err(bad(
                path,
                &format!("fields.{name}"),
                "holds a secret value: a team file never holds one; each user types or references their own",
            ));
        }
    }
    Ok(())
}

/// A profile's file text: pretty JSON, sorted keys, a trailing newline. Refuses (naming the
/// field) a value the redactor would change: a team file never holds a secret.
pub fn profile_json(p: &TeamProfile) -> Result<String> {
    let mut fields = Map::new();
    let mut secret_ref = None;
    for (name, value) in &p.fields {
        if name == source::FIELD {
            secret_ref = Some(value.clone());
        } else {
            fields.insert(name.clone(), Value::from(value.clone()));
        }
    }
    let mut map = Map::new();
    map.insert("version".into(), Value::from(VERSION));
    map.insert("handle".into(), Value::from(p.handle.clone()));
    map.insert("label".into(), Value::from(p.label.clone()));
    map.insert("template".into(), Value::from(p.template.clone()));
    map.insert("fields".into(), Value::Object(fields));
    if let Some(r) = secret_ref {
        map.insert("secret_ref".into(), Value::from(r));
    }
    let value = Value::Object(map);
    let mut redacted = value.clone();
    crate::secret::redact::json(&mut redacted);
    if redacted != value {
        let field = first_difference(&value, &redacted).unwrap_or_else(|| "fields".into());
        return Err(Error::invalid(
            field,
            format!("profile '{}' holds a secret value there: a team file never holds one, so it was not written", p.handle),
        ));
    }
    Ok(pretty(&value))
}

/// The dotted name of the first value that differs between two objects.
fn first_difference(a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => a.iter().find_map(|(k, v)| {
            let w = b.get(k)?;
            if v == w {
                return None;
            }
            Some(first_difference(v, w).map(|inner| format!("{k}.{inner}")).unwrap_or_else(|| k.clone()))
        }),
        _ => None,
    }
}

/// Pretty JSON with a trailing newline and keys sorted at every level (whatever order a map
/// keeps: another crate of a build may turn on `serde_json`'s insertion order).
fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(&sorted(value)).map(|s| s + "\n").unwrap_or_default()
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().filter_map(|k| map.get(k).map(|v| (k.clone(), sorted(v)))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Writes `text` to `path` whole or not at all (a file beside it, then renamed over it), so
/// a reader (Git, a sync) never sees half a file.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let named = |e: std::io::Error| Error::Io(std::io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display())));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(named)?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(named)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        named(e)
    })
}

/// The profile files of the team folder `dir`, by name: every `*.json` in `DIR/profiles`
/// (none when that folder does not exist). Hidden files and other names are not profiles.
pub fn profile_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let folder = dir.join(PROFILES);
    let entries = match std::fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::Io(std::io::Error::new(e.kind(), format!("cannot read {}: {e}", folder.display())))),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(Error::Io)?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if name.ends_with(".json") && !name.starts_with('.') && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
