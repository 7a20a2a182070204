//! A profile is one connection: a template, a unique immutable handle, a label and the
//! template's field values. This module holds what the front ends send to create or change
//! one, and the rules that make a set of field values acceptable for a template. (The
//! profile as shown is [`crate::model::Profile`].)

use serde::Deserialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::model::Fields;
use crate::secret::{source, ClientSecret};
use crate::template::{self, FieldKind, Flow, Template};
use crate::validate;

/// A profile to create. `client_secret` comes from standard input or the form's secret input.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewProfile {
    pub template: String,
    pub handle: String,
    #[serde(default)]
    #[ts(optional)]
    pub label: Option<String>,
    #[serde(default)]
    pub fields: Fields,
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub client_secret: Option<ClientSecret>,
}

/// Changes to a profile. A field given as "" is cleared (back to its default, if any); fields
/// not named keep their value; no `client_secret` (or a blank one) keeps the stored secret.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct ProfileChanges {
    #[serde(default)]
    #[ts(optional)]
    pub label: Option<String>,
    #[serde(default)]
    pub fields: Fields,
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub client_secret: Option<ClientSecret>,
}

/// Unicode's explicit direction controls (embeddings, overrides, isolates, marks), which can
/// make one text display as another.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The longest client secret accepted (a secret, not a document).
pub const MAX_SECRET_BYTES: usize = 8 * 1024;

/// Checks a client secret before it is stored: no NUL, line break or other control
/// character (a secret pasted with one would never authenticate), not absurdly long.
pub fn check_secret(secret: &ClientSecret) -> Result<()> {
    let s = secret.expose();
    if s.len() > MAX_SECRET_BYTES {
        return Err(Error::invalid("client_secret", format!("is longer than {} KiB", MAX_SECRET_BYTES / 1024)));
    }
    if s.contains(['\r', '\n']) {
        return Err(Error::invalid("client_secret", "contains a line break; enter the secret on one line"));
    }
    if s.chars().any(char::is_control) {
        return Err(Error::invalid(
            "client_secret",
            "contains a control character (such as NUL or a tab); enter the secret as it was issued",
        ));
    }
    Ok(())
}

/// The label to store: trimmed, the handle when blank.
pub fn label(raw: Option<&str>, handle: &str) -> Result<String> {
    let l = raw.map(str::trim).unwrap_or_default();
    if l.chars().any(char::is_control) {
        return Err(Error::invalid("label", "contains a control character"));
    }
    if l.chars().any(is_bidi_control) {
        return Err(Error::invalid("label", "contains a text-direction control character, which can make a label read as another"));
    }
    if l.chars().count() > 120 {
        return Err(Error::invalid("label", "is longer than 120 characters"));
    }
    Ok(if l.is_empty() { handle.to_string() } else { l.to_string() })
}

/// Checks `fields` against `template` and returns them normalised, defaults filled in.
/// Whether the profile needs its client secret: the template requires one, and the client
/// does not prove itself with its key (or not at all).
pub fn secret_needed(template: &Template, fields: &Fields) -> bool {
    let keyed = matches!(
        fields.get("client_auth").map(String::as_str),
        Some("private_key_jwt" | "tls_client_auth" | "self_signed_tls_client_auth" | "none")
    );
    template.secret_field().is_some_and(|f| f.required) && !keyed
}

/// The reference `role`'s secret comes from ([`crate::secret::source`]), checked: only a
/// template that takes that secret takes one, and it must parse. `Ok(None)` when blank (a
/// reference cleared).
pub fn check_role_reference(template: &Template, role: source::Role, raw: &str) -> Result<Option<String>> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if !template.takes_reference(role) {
        let what = match role {
            source::Role::ClientSecret => "no secret",
            source::Role::Password => "no password (only the password grant does)",
            source::Role::PrivateKey | source::Role::KeyPassword => "no key",
        };
        return Err(Error::invalid(role.field(), format!("template {} takes {what}, so no {}", template.id, role.label().to_lowercase())));
    }
    source::Reference::parse(v).map_err(|m| Error::invalid(role.field(), m))?;
    Ok(Some(v.to_string()))
}

/// The fields that name where the profile's secret slot comes from (the client secret, or
/// the password kept in its place) and hold a reference.
fn secret_references(fields: &Fields) -> impl Iterator<Item = &'static str> + '_ {
    source::Role::ALL
        .into_iter()
        .filter(|r| r.is_secret())
        .map(source::Role::field)
        .filter(|f| fields.get(*f).is_some_and(|r| !r.trim().is_empty()))
}

/// A secret is typed in or read through a reference, never both at once, and from one
/// reference at most: the error when `secret` is typed and `fields` name a reference, or
/// when they name two for the one secret.
pub fn check_one_secret(secret: Option<&ClientSecret>, fields: &Fields) -> Result<()> {
    let named: Vec<&str> = secret_references(fields).collect();
    if let (true, Some(field)) = (secret.is_some_and(|s| !s.is_empty()), named.first()) {
        return Err(Error::invalid(*field, "a secret is either typed in or read through a reference: give one of the two"));
    }
    if let [first, second, ..] = named.as_slice() {
        return Err(Error::invalid(*second, format!("{first} and {second} both name where the one secret is read from: give one")));
    }
    Ok(())
}

/// `secret_present` says whether a client secret is (or will be) stored; a secret reference
/// among the fields counts as one (its value is read when a token is needed).
pub fn check_fields(template: &Template, fields: &Fields, secret_present: bool) -> Result<Fields> {
    let mut out = Fields::new();
    for (name, raw) in fields {
        if let Some(role) = source::Role::of_field(name) {
            if let Some(r) = check_role_reference(template, role, raw)? {
                out.insert(name.clone(), r);
            }
            continue;
        }
        let spec = template.field(name).ok_or_else(|| unknown_field(template, name))?;
        if spec.kind == FieldKind::Secret {
            return Err(Error::invalid(name, "is a secret: secrets are not set as fields"));
        }
        let mut v = validate::value(&spec.kind, raw).map_err(|m| Error::invalid(name, m))?;
        if template.rules().base_field() == Some(name.as_str()) && !v.is_empty() {
            v = base_url(template, name, &v)?;
        }
        if !v.is_empty() {
            out.insert(name.clone(), v);
        }
    }
    let secret_present = secret_present || secret_references(&out).next().is_some();
    for spec in &template.fields {
        if let (false, Some(default)) = (out.contains_key(&spec.name), &spec.default) {
            out.insert(spec.name.clone(), default.clone());
        }
        let missing =
            if spec.kind == FieldKind::Secret { !secret_present && secret_needed(template, &out) } else { !out.contains_key(&spec.name) };
        if spec.required && missing {
            return Err(Error::invalid(&spec.name, format!("{} is required", spec.label)));
        }
    }
    Ok(out)
}

/// The base URL the provider's endpoints hang from, as its rules store it.
fn base_url(template: &Template, name: &str, v: &str) -> Result<String> {
    let u = validate::url(v).map_err(|m| Error::invalid(name, m))?;
    template.rules().check_base(&u, template.flow == Flow::ClientCredentials).map_err(|m| Error::invalid(name, m))
}

fn unknown_field(template: &Template, name: &str) -> Error {
    let known: Vec<&str> = template.fields.iter().map(|f| f.name.as_str()).collect();
    Error::invalid(name, format!("is not a field of template {} (its fields: {})", template.id, known.join(", ")))
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_problem_of_a_form_is_named_at_once_in_words() {
        let new = NewProfile {
            template: "client-credentials".into(),
            handle: "Bad Handle".into(),
            label: None,
            fields: [("token_url", "not a url"), ("client_id", ""), ("timeout", "soon")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            client_secret: None,
        };
        let found = problems(&new, false, false);
        let fields: Vec<&str> = found.iter().map(|p| p.field.as_str()).collect();
        for f in ["handle", "token_url", "timeout", "client_id", "client_secret"] {
            assert!(fields.contains(&f), "{f} in {found:?}");
        }
        let url = found.iter().find(|p| p.field == "token_url").unwrap_or_else(|| unreachable!());
        assert_eq!(url.label, "Token URL");
        assert!(!url.message.starts_with("token_url"), "the message is in words: {}", url.message);
        // A valid profile has none; a key-based client needs no secret.
        let mut good = new.clone();
        good.handle = "api".into();
        good.fields = [("token_url", "https://a.example/t"), ("client_id", "c"), ("client_auth", "private_key_jwt")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(problems(&good, false, false), vec![]);
    }

    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn sf() -> &'static Template {
        template::find(template::SALESFORCE_CLIENT_CREDENTIALS).unwrap()
    }

    #[test]
    fn salesforce_defaults_are_filled_and_my_domain_normalised() {
        let out =
            check_fields(sf(), &fields(&[("my_domain", "https://acme.my.salesforce.com/"), ("client_id", " 3MVG9abc ")]), true).unwrap();
        assert_eq!(out["my_domain"], "https://acme.my.salesforce.com");
        assert_eq!(out["client_id"], "3MVG9abc");
        assert_eq!(out["scopes"], "api");
        assert_eq!(out["environment"], "production");
        assert_eq!(out["test_method"], "GET");
    }

    #[test]
    fn errors_name_the_field() {
        let cases: Vec<(Fields, bool, &str)> = vec![
            (fields(&[("client_id", "k")]), true, "my_domain"),
            (fields(&[("my_domain", "https://acme.my.salesforce.com")]), true, "client_id"),
            (fields(&[("my_domain", "https://acme.my.salesforce.com"), ("client_id", "k")]), false, "client_secret"),
            (fields(&[("my_domain", "https://login.salesforce.com"), ("client_id", "k")]), false, "my_domain"),
            (fields(&[("my_domain", "https://acme.my.salesforce.com"), ("client_id", "k"), ("username", "x")]), true, "username"),
            (fields(&[("my_domain", "https://acme.my.salesforce.com"), ("client_id", "k"), ("client_secret", "x")]), true, "client_secret"),
            (fields(&[("my_domain", "https://acme.my.salesforce.com"), ("client_id", "k"), ("environment", "dev")]), true, "environment"),
        ];
        for (f, secret, field) in cases {
            let err = check_fields(sf(), &f, secret).unwrap_err();
            assert_eq!(err.field(), Some(field), "{err}");
            assert!(err.to_string().starts_with(&format!("{field}: ")), "{err}");
        }
    }

    #[test]
    fn plain_http_token_url_to_a_remote_host_is_refused() {
        let t = template::find(template::CLIENT_CREDENTIALS).unwrap();
        let err = check_fields(t, &fields(&[("token_url", "http://auth.example.com/token"), ("client_id", "c")]), true).unwrap_err();
        assert_eq!(err.field(), Some("token_url"));
        let ok = check_fields(t, &fields(&[("token_url", "http://127.0.0.1:9/token"), ("client_id", "c")]), true).unwrap();
        assert_eq!(ok["client_auth"], "basic");
        assert_eq!(ok["token_body"], "form");
    }

    #[test]
    fn a_public_custom_client_needs_no_secret() {
        let t = template::find(template::CUSTOM_OAUTH2).unwrap();
        let f =
            fields(&[("authorize_url", "https://a.example.com/auth"), ("token_url", "https://a.example.com/token"), ("client_id", "c")]);
        let out = check_fields(t, &f, false).unwrap();
        assert_eq!(out["pkce"], "true");
        assert_eq!(out["redirect_port"], "0");
        assert_eq!(out["redirect_path"], "/callback");
    }

    #[test]
    fn labels_are_trimmed_and_default_to_the_handle() {
        assert_eq!(label(None, "sf-prod").unwrap(), "sf-prod");
        assert_eq!(label(Some("  Acme prod "), "sf-prod").unwrap(), "Acme prod");
    }
}

/// One field's problem, in words, for the form to show under that field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, TS)]
#[ts(export)]
pub struct FieldProblem {
    pub field: String,
    /// The field's label, as the form shows it.
    pub label: String,
    /// What is wrong, without the field's name.
    pub message: String,
}

/// Every problem of a profile to create (or, with `editing`, of changed values), all at once,
/// so the form can mark each field instead of one error at a time. The same rules as
/// [`check_fields`], run field by field.
pub fn problems(new: &NewProfile, editing: bool, secret_stored: bool) -> Vec<FieldProblem> {
    let Ok(template) = template::find(&new.template) else {
        return vec![FieldProblem {
            field: "template".into(),
            label: "Template".into(),
            message: format!("'{}' is not a template", new.template),
        }];
    };
    let label_of = |name: &str| match name {
        "handle" => "Handle".to_string(),
        "label" => "Label".to_string(),
        _ if source::Role::of_field(name).is_some() => source::Role::of_field(name).map(|r| r.label().to_string()).unwrap_or_default(),
        _ => template.field(name).map(|f| f.label.clone()).unwrap_or_else(|| name.to_string()),
    };
    let mut out = Vec::new();
    let mut push = |e: Error, fallback: &str| {
        let (field, message) = match e {
            Error::Invalid { field, message } => (field, message),
            other => (fallback.to_string(), other.to_string()),
        };
        if !out.iter().any(|p: &FieldProblem| p.field == field) {
            out.push(FieldProblem { label: label_of(&field), field, message });
        }
    };
    if !editing {
        if let Err(m) = validate::handle(&new.handle) {
            push(Error::invalid("handle", m), "handle");
        }
    }
    if let Err(e) = label(new.label.as_deref(), &new.handle) {
        push(e, "label");
    }
    if let Some(secret) = new.client_secret.as_ref().filter(|s| !s.is_empty()) {
        if let Err(e) = check_secret(secret) {
            push(e, "client_secret");
        }
    }
    if let Err(e) = check_one_secret(new.client_secret.as_ref(), &new.fields) {
        push(e, source::FIELD);
    }
    for (name, raw) in &new.fields {
        let one: Fields = [(name.clone(), raw.clone())].into_iter().collect();
        // Required fields are checked below, once, for all.
        if let Err(e) = check_fields_only(template, &one) {
            push(e, name);
        }
    }
    let present = |name: &str| new.fields.get(name).is_some_and(|v| !v.trim().is_empty());
    let secret_present =
        secret_stored || new.client_secret.as_ref().is_some_and(|s| !s.is_empty()) || secret_references(&new.fields).next().is_some();
    for spec in template.fields.iter().filter(|f| f.required) {
        let missing = if spec.kind == FieldKind::Secret {
            !secret_present && secret_needed(template, &new.fields)
        } else {
            !present(&spec.name) && spec.default.is_none()
        };
        if missing {
            push(Error::invalid(&spec.name, "is required"), &spec.name);
        }
    }
    out
}

/// The value rules of [`check_fields`] without the required check.
fn check_fields_only(template: &Template, fields: &Fields) -> Result<()> {
    for (name, raw) in fields {
        if let Some(role) = source::Role::of_field(name) {
            check_role_reference(template, role, raw)?;
            continue;
        }
        let spec = template.field(name).ok_or_else(|| unknown_field(template, name))?;
        if spec.kind == FieldKind::Secret {
            return Err(Error::invalid(name, "is a secret: secrets are not set as fields"));
        }
        let v = validate::value(&spec.kind, raw).map_err(|m| Error::invalid(name, m))?;
        if template.rules().base_field() == Some(name.as_str()) && !v.is_empty() {
            base_url(template, name, &v)?;
        }
    }
    Ok(())
}
