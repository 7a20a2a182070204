//! `templates`, `add`, `list`, `show`, `edit`, `remove`, `export`, `import`.

use std::fmt::Write as _;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use clap::Args;
use oauthdesk_core::{
    ClientSecret, ConnectionStatus, Desk, Error, ExportFile, FieldKind, Fields, Labelled, NewProfile, Profile, ProfileChanges, Template,
};

use super::Out;
use crate::error::AppResult;

#[derive(Args, Debug)]
pub struct AddArgs {
    /// Template id (see `oauthdesk templates`)
    pub template: String,
    /// Unique, permanent handle: lowercase letters, digits and hyphens
    #[arg(long)]
    pub handle: String,
    #[command(flatten)]
    pub values: Values,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    /// The profile's handle
    pub handle: String,
    /// Confirm that the profile's credentials may go to its endpoints as they are after this
    /// edit (`show` lists each new or changed one); without it, on a terminal, you are asked
    #[arg(long)]
    pub confirm_origins: bool,
    #[command(flatten)]
    pub values: Values,
}

/// What `add` and `edit` both take.
#[derive(Args, Debug)]
pub struct Values {
    /// Display name (on add, the handle when left out)
    #[arg(long)]
    pub label: Option<String>,
    /// Set a field, e.g. --set my_domain=https://acme.my.salesforce.com; FIELD= clears it (repeatable).
    /// --set secret_ref=REF reads the secret from vault://MOUNT/PATH#FIELD, env:NAME, file:PATH or
    /// op://VAULT/ITEM/FIELD when a token is needed, instead of a typed value
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// Read the client secret from standard input (never pass it as an argument); on edit,
    /// without it the stored secret is kept
    #[arg(long)]
    pub secret_stdin: bool,
}

/// Parses `FIELD=VALUE` as given to `--set`.
pub fn parse_assignment(s: &str) -> Result<(String, String), Error> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(Error::invalid("--set", format!("'{s}' is not FIELD=VALUE"))),
    }
}

fn assignments(set: &[String]) -> AppResult<Fields> {
    let mut fields = Fields::new();
    for s in set {
        let (k, v) = parse_assignment(s)?;
        fields.insert(k, v);
    }
    Ok(fields)
}

/// The secret from standard input, without the line break a shell or `echo` adds.
fn secret_from_stdin() -> AppResult<Option<ClientSecret>> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    let s = s.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&s);
    Ok(Some(ClientSecret::new(s)).filter(|s| !s.is_empty()))
}

/// On a terminal, asks for the secret without echoing it.
fn secret_from_prompt(t: &Template) -> AppResult<Option<ClientSecret>> {
    let Some(spec) = t.secret_field() else { return Ok(None) };
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let hint = if spec.required { "" } else { ", blank for none" };
    let s = rpassword::prompt_password(format!("{} (input hidden{hint}): ", spec.label))?;
    Ok(Some(ClientSecret::new(s)).filter(|s| !s.is_empty()))
}

pub fn templates(out: &Out, all: bool) -> AppResult<()> {
    let shown: Vec<&Template> = oauthdesk_core::templates().iter().filter(|t| all || !t.legacy).collect();
    out.print(&shown, || {
        let mut s = String::new();
        for t in &shown {
            let _ = writeln!(s, "{}  {}\n    {}", t.id, t.name, t.description);
            for f in &t.fields {
                let req = if f.required { " (required)" } else { "" };
                let def = f.default.as_ref().map(|d| format!(" [default: {d}]")).unwrap_or_default();
                let _ = writeln!(s, "    {:<16} {}{req}{def}", f.name, f.label);
            }
            s.push('\n');
        }
        if !all {
            s.push_str("Legacy templates (the password grant) are listed with --all.\n");
        }
        s
    });
    Ok(())
}

pub fn add(desk: &Desk, out: &Out, a: AddArgs) -> AppResult<()> {
    let t = oauthdesk_core::find_template(&a.template)?;
    let fields = assignments(&a.values.set)?;
    // A secret by reference is read from its source, never asked for.
    let by_reference = fields.get("secret_ref").is_some_and(|r| !r.trim().is_empty());
    let client_secret = match (a.values.secret_stdin, by_reference) {
        (true, _) => secret_from_stdin()?,
        (false, true) => None,
        (false, false) => secret_from_prompt(t)?,
    };
    let p = desk.create(NewProfile { template: a.template, handle: a.handle, label: a.values.label, fields, client_secret })?;
    out.print(&p, || format!("Created profile '{}' ({}).", p.handle, t.name));
    Ok(())
}

pub fn edit(desk: &Desk, out: &Out, a: EditArgs) -> AppResult<()> {
    let fields = assignments(&a.values.set)?;
    let client_secret = if a.values.secret_stdin { secret_from_stdin()? } else { None };
    let edited = desk.edit(&a.handle, ProfileChanges { label: a.values.label, fields, client_secret })?;
    let mut p = edited.profile;
    if !p.unconfirmed.is_empty() && (a.confirm_origins || ask_to_confirm(out, &p)?) {
        desk.confirm_origins(&a.handle, None)?;
        p = desk.get(&a.handle)?;
    }
    /// The profile as `show --json` prints it, and where its team file was written.
    #[derive(serde::Serialize)]
    struct Shown<'a> {
        #[serde(flatten)]
        profile: &'a Profile,
        #[serde(skip_serializing_if = "Option::is_none")]
        team_file: Option<&'a String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        team_file_error: Option<&'a String>,
    }
    let shown = Shown { profile: &p, team_file: edited.team_file.as_ref(), team_file_error: edited.team_file_error.as_ref() };
    out.print(&shown, || {
        let mut s = format!("Updated profile '{}'.", p.handle);
        if let Some(file) = &edited.team_file {
            let _ = write!(s, "\nWrote its team file {file}: commit it to share the change.");
        }
        if let Some(e) = &edited.team_file_error {
            let _ = write!(s, "\nIts team file was not written: {e}");
        }
        for change in &p.unconfirmed {
            let _ = write!(s, "\nNot confirmed: {change}.");
        }
        if !p.unconfirmed.is_empty() {
            let _ = write!(s, "\nNothing is sent there until you confirm: oauthdesk edit {} --confirm-origins", p.handle);
        }
        s
    });
    Ok(())
}

/// On a terminal (and not for `--json`), lists the profile's new destinations and asks
/// whether its credentials may go there.
fn ask_to_confirm(out: &Out, p: &Profile) -> AppResult<bool> {
    if out.json || !super::interactive() {
        return Ok(false);
    }
    let mut question = format!("The credentials of '{}' would go to new places:\n", p.handle);
    for change in &p.unconfirmed {
        let _ = writeln!(question, "  - {change}");
    }
    question.push_str("Send them there? [y/N] ");
    super::emit_err(&question);
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

pub fn list(desk: &Desk, out: &Out) -> AppResult<()> {
    let profiles = desk.list()?;
    out.print(&profiles, || {
        if profiles.is_empty() {
            return "No profiles yet. Create one with `oauthdesk add TEMPLATE --handle NAME` (see `oauthdesk templates`).".into();
        }
        let mut s = format!("{:<20} {:<28} {:<30} {:<8} {}\n", "HANDLE", "LABEL", "TEMPLATE", "SECRET", "STATUS");
        for p in &profiles {
            let _ = writeln!(s, "{:<20} {:<28} {:<30} {:<8} {}", p.handle, p.label, p.template, secret_word(p), status_word(p));
        }
        s
    });
    Ok(())
}

fn status_word(p: &Profile) -> String {
    let c = &p.connection;
    match (c.state, c.expires_at) {
        (ConnectionStatus::Connected, Some(at)) => {
            format!("{}, {} min left", c.state.label(), (at - chrono::Utc::now()).num_minutes().max(0))
        }
        (state, _) => state.label().to_string(),
    }
}

fn secret_word(p: &Profile) -> &'static str {
    if p.secret_ref.is_some() {
        return "by ref";
    }
    match p.client_secret {
        oauthdesk_core::SecretState::Set => "set",
        oauthdesk_core::SecretState::NotSet => "not set",
        oauthdesk_core::SecretState::Unreadable => "unreadable",
    }
}

/// `rekey`; with `discard_unreadable`, the explicit new start of a store whose key is gone.
pub fn rekey(desk: &Desk, out: &Out, discard_unreadable: bool) -> AppResult<()> {
    let r = if discard_unreadable { desk.start_over()? } else { desk.rekey()? };
    out.print(&r, || {
        let mut s = format!("Made a new data key and sealed {} value(s) again under it.", r.resealed);
        if r.dropped > 0 {
            s += &format!("\n{} value(s) no longer opened and were dropped: enter those secrets again (see `oauthdesk list`).", r.dropped);
        }
        s
    });
    Ok(())
}

pub fn show(desk: &Desk, out: &Out, handle: &str) -> AppResult<()> {
    let p = desk.get(handle)?;
    out.print(&p, || {
        let mut s = format!("{} — {}\n", p.handle, p.label);
        let t = oauthdesk_core::find_template(&p.template).ok();
        let _ = writeln!(s, "  {:<16} {}", "template", p.template);
        for spec in t.map(|t| t.fields.as_slice()).unwrap_or_default() {
            let value = if spec.kind == FieldKind::Secret && p.client_secret == oauthdesk_core::SecretState::Unreadable {
                if desk.data_key_missing() {
                    "unreadable: the keyring lacks this store's data key (put its item back, or see `oauthdesk rekey --help`)".to_string()
                } else {
                    format!("unreadable: enter it again with oauthdesk edit {} --secret-stdin", p.handle)
                }
            } else if spec.kind == FieldKind::Secret {
                match &p.secret_ref {
                    Some(r) => format!("read from {r} when a token is needed"),
                    None => secret_word(&p).to_string(),
                }
            } else {
                p.fields.get(&spec.name).cloned().unwrap_or_default()
            };
            let _ = writeln!(s, "  {:<16} {value}", spec.name);
        }
        if let Some(r) = &p.secret_ref {
            let _ = writeln!(s, "  {:<16} {r}", "secret_ref");
        }
        if let Some(team) = &p.team {
            let commit = team.commit.as_deref().map(|c| format!(" at commit {}", c.get(..12).unwrap_or(c))).unwrap_or_default();
            let _ = writeln!(s, "  {:<16} {}{commit}", "team folder", team.dir);
        }
        for change in &p.unconfirmed {
            let _ = writeln!(s, "  {:<16} {change}: confirm with oauthdesk edit {} --confirm-origins", "unconfirmed", p.handle);
        }
        let _ = writeln!(s, "  {:<16} {}", "created", p.created_at.to_rfc3339());
        let _ = writeln!(s, "  {:<16} {}", "updated", p.updated_at.to_rfc3339());
        s
    });
    Ok(())
}

pub fn remove(desk: &Desk, out: &Out, handle: &str) -> AppResult<()> {
    desk.remove(handle)?;
    out.print(&serde_json::json!({ "ok": true, "removed": handle }), || format!("Removed profile '{handle}'."));
    Ok(())
}

pub fn export(desk: &Desk, handles: &[String], output: Option<PathBuf>) -> AppResult<()> {
    let json = desk.export(handles)?.to_json()?;
    match output {
        Some(path) => oauthdesk_core::write_file(&path, &json)?,
        None => super::emit(&json),
    }
    Ok(())
}

pub fn import(desk: &Desk, out: &Out, file: &Path) -> AppResult<()> {
    let text = if file == Path::new("-") {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        std::fs::read_to_string(file).map_err(|e| oauthdesk_core::Error::Import(format!("cannot read {}: {e}", file.display())))?
    };
    let handles = desk.import(ExportFile::parse(&text)?)?;
    out.print(&serde_json::json!({ "ok": true, "imported": handles }), || {
        format!(
            "Imported {} profile(s): {}.\nSecrets are never exported: set each with `oauthdesk edit HANDLE --secret-stdin`.",
            handles.len(),
            handles.join(", ")
        )
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_split_at_the_first_equals_sign() {
        assert_eq!(parse_assignment("scopes=api web").ok(), Some(("scopes".into(), "api web".into())));
        assert_eq!(parse_assignment("extra_params=a=1&b=2").ok().map(|p| p.1), Some("a=1&b=2".to_string()));
        assert_eq!(parse_assignment("nothing").err().and_then(|e| e.field().map(str::to_string)).as_deref(), Some("--set"));
    }
}
