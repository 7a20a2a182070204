//! Secrets by reference: a profile may name where its secret is kept instead of holding a
//! copy typed in by hand. The grammar (one place, this module):
//!
//! - `vault://MOUNT/PATH#FIELD`: a field of a KV version 2 secret in a Vault-compatible
//!   server (HashiCorp Vault, OpenBao), read over its HTTP API ([`vault`]);
//! - `env:NAME`: an environment variable of the process that needs the secret;
//! - `file:PATH`: a file's contents (one trailing line break dropped), by its full path or
//!   from the home folder (`file:~/…`);
//! - `op://VAULT/ITEM/FIELD` (or `op://VAULT/ITEM/SECTION/FIELD`): a 1Password item's field,
//!   read by the 1Password CLI when it is installed ([`local`]).
//!
//! A reference is not a secret (it is written in profiles and team files); what it reads is,
//! and is only ever held as a [`Secret`], which the redactor knows from the moment it is made.
//! Every read is bounded in time and size, and every failure is a [`SourceError`] that names
//! the reference and the reason, never the value.

mod local;
#[cfg(test)]
mod tests;
mod vault;

pub use vault::sharing;

use std::fmt;
use std::time::Duration;

use super::Secret;

/// The profile field that holds the client secret's reference.
pub const FIELD: &str = "secret_ref";

/// The secrets a reference may stand for, each named by a field of its own (the one place
/// these names are written): the client secret, the legacy password grant's password, the
/// private key, and the password of the file the key comes in (PKCS#12, or an encrypted
/// PKCS#8 key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    ClientSecret,
    Password,
    PrivateKey,
    KeyPassword,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::ClientSecret, Role::Password, Role::PrivateKey, Role::KeyPassword];

    /// The profile field that holds this role's reference.
    pub fn field(self) -> &'static str {
        match self {
            Role::ClientSecret => FIELD,
            Role::Password => "password_ref",
            Role::PrivateKey => "key_ref",
            Role::KeyPassword => "p12_password_ref",
        }
    }

    /// The role whose reference `field` holds.
    pub fn of_field(field: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.field() == field)
    }

    /// How the field is labelled for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::ClientSecret => "Secret reference",
            Role::Password => "Password reference",
            Role::PrivateKey => "Private key reference",
            Role::KeyPassword => "Key file password reference",
        }
    }

    /// What the field is for, in words for a form.
    pub fn help(self) -> &'static str {
        match self {
            Role::ClientSecret => "Instead of typing the secret: where it is read from when a token is needed.",
            Role::Password => "Instead of typing the password: where it is read from when a token is needed (vault://MOUNT/PATH#FIELD, env:NAME, file:PATH or op://VAULT/ITEM/FIELD). The value read is sealed in the store and never shown.",
            Role::PrivateKey => "Instead of importing the key: where its file is read from when a token is needed (PEM with its certificate, or a PKCS#12 file; vault://MOUNT/PATH#FIELD, env:NAME, file:PATH or op://VAULT/ITEM/FIELD). A key rotated there replaces the kept one when the provider refuses it.",
            Role::KeyPassword => "Where the password of the key's file (PKCS#12, or an encrypted PEM key) is read from, for the key reference or a key file imported without a password.",
        }
    }

    /// An example reference, for an empty input.
    pub fn example(self) -> &'static str {
        match self {
            Role::ClientSecret => "vault://secret/app#client_secret",
            Role::Password => "vault://secret/app#password",
            Role::PrivateKey => "vault://secret/app#private_key",
            Role::KeyPassword => "env:KEY_FILE_PASSWORD",
        }
    }

    /// Whether the value is kept in the profile's secret (the client secret, or the password
    /// grant's password, which is kept in its place): else it belongs to the key.
    pub fn is_secret(self) -> bool {
        matches!(self, Role::ClientSecret | Role::Password)
    }
}
/// The longest reference accepted.
pub const MAX_REFERENCE: usize = 2048;
/// The most bytes a source's value may have (a file, a variable, a field, `op`'s output).
pub const MAX_VALUE: usize = 64 * 1024;
/// The most of a vault's answer that is read.
pub const MAX_ANSWER: usize = 1024 * 1024;
/// How long one read may take in all, whatever the source.
pub const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one request to a vault may take.
pub const VAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the 1Password CLI may take before it is stopped (within [`READ_TIMEOUT`], so
/// that it is stopped, not left running).
pub const OP_TIMEOUT: Duration = Duration::from_secs(25);

/// Where a secret is kept, as a reference names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Vault { mount: String, path: Vec<String>, field: String },
    Env(String),
    File(String),
    OnePassword,
}

/// A parsed reference: its text as written, and the place it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    text: String,
    place: Place,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Characters a vault mount or path segment may hold (a conservative set: no spaces, no
/// query or fragment, no escapes).
fn vault_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.@+=~:".contains(c)
}

/// Characters a 1Password secret reference segment may hold, as its syntax allows.
fn op_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_. ".contains(c)
}

/// Splits `rest` at `/` into segments, each non-empty, never `.` or `..`, each of `ok`'s
/// characters.
fn segments(rest: &str, what: &str, ok: fn(char) -> bool) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for s in rest.split('/') {
        if s.is_empty() {
            return Err(format!("{what} has an empty segment (two slashes in a row, or one at an end)"));
        }
        if s == "." || s == ".." {
            return Err(format!("{what} has a '{s}' segment"));
        }
        if let Some(c) = s.chars().find(|c| !ok(*c)) {
            return Err(format!("{what} holds the character {c:?}, which a reference cannot carry"));
        }
        out.push(s.to_string());
    }
    Ok(out)
}

impl Reference {
    /// Reads a reference; the error says why it is not one, in words (the caller names the
    /// field).
    pub fn parse(text: &str) -> Result<Reference, String> {
        if text.len() > MAX_REFERENCE {
            return Err(format!("is longer than {MAX_REFERENCE} bytes"));
        }
        if text != text.trim() {
            return Err("starts or ends with a space".into());
        }
        if text.chars().any(char::is_control) {
            return Err("contains a control character".into());
        }
        let place = if let Some(rest) = text.strip_prefix("vault://") {
            let (path, field) = rest.split_once('#').ok_or("names no field: a vault reference ends with #FIELD")?;
            if field.is_empty() || field.len() > 256 {
                return Err("names no field (or one longer than 256 bytes) after #".into());
            }
            if field.contains(['#', '/']) {
                return Err("has a field holding '#' or '/'".into());
            }
            let mut parts = segments(path, "the vault path", vault_char)?;
            if parts.len() < 2 {
                return Err("names a mount but no path: a vault reference is vault://MOUNT/PATH#FIELD".into());
            }
            let mount = parts.remove(0);
            Place::Vault { mount, path: parts, field: field.to_string() }
        } else if let Some(name) = text.strip_prefix("env:") {
            let mut chars = name.chars();
            let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
            if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') || name.len() > 256 {
                return Err("names no environment variable: env:NAME takes letters, digits and _ (not starting with a digit)".into());
            }
            Place::Env(name.to_string())
        } else if let Some(path) = text.strip_prefix("file:") {
            let from_home = path.starts_with("~/") && path.len() > 2;
            if !(from_home || std::path::Path::new(path).is_absolute()) {
                return Err("names no full path: file:PATH takes an absolute path, or one from the home folder (file:~/…)".into());
            }
            Place::File(path.to_string())
        } else if let Some(rest) = text.strip_prefix("op://") {
            let parts = segments(rest, "the 1Password reference", op_char)?;
            if !(3..=4).contains(&parts.len()) {
                return Err("is not op://VAULT/ITEM/FIELD (or op://VAULT/ITEM/SECTION/FIELD)".into());
            }
            Place::OnePassword
        } else {
            return Err("is not a secret reference: one starts with vault://, env:, file: or op://".into());
        };
        Ok(Reference { text: text.to_string(), place })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Where it points, parsed (the tests compare it).
    #[cfg(test)]
    pub fn place(&self) -> &Place {
        &self.place
    }

    /// The kind of source, as the reference's scheme names it.
    pub fn kind(&self) -> &'static str {
        match self.place {
            Place::Vault { .. } => "vault",
            Place::Env(_) => "env",
            Place::File(_) => "file",
            Place::OnePassword => "op",
        }
    }
}

/// Why a source could not give its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// What the source needs on this machine is not set (VAULT_ADDR, a vault token, an
    /// environment variable).
    NotConfigured,
    /// No such path, mount, file or item.
    NotFound,
    /// The source refuses its reader (a vault policy, a file's permissions).
    Denied,
    /// The vault is sealed.
    Sealed,
    /// The vault refused its token or the AppRole login (expired, revoked, invalid).
    TokenInvalid,
    /// The secret is there, without the field named.
    FieldMissing,
    /// The source could not be reached, or did not answer in time.
    Unreachable,
    /// The value (or the answer) is larger than is ever read.
    TooLarge,
    /// The program the source needs (the 1Password CLI) is not installed.
    NotInstalled,
    /// The value is there but cannot be a secret (empty, not text, a line break).
    Unusable,
    /// Anything else the source answered.
    Failed,
}

/// A source's failure: the reference, the reason, and the facts in words (never the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub reference: String,
    pub reason: Reason,
    pub detail: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the secret reference {} cannot be read: {}", self.reference, self.detail)
    }
}

impl SourceError {
    pub(crate) fn new(r: &Reference, reason: Reason, detail: impl Into<String>) -> Self {
        // Whatever a source says goes through the redactor: a value it echoed stays hidden.
        SourceError { reference: r.text.clone(), reason, detail: super::redact::text(&detail.into()) }
    }
}

/// Reads the value `r` names. `vars` answers the environment (the process's own in the
/// app; the tests give theirs). The whole read is given [`READ_TIMEOUT`].
pub async fn read(r: &Reference, vars: &(dyn Fn(&str) -> Option<String> + Sync)) -> Result<Secret, SourceError> {
    let reading = async {
        match &r.place {
            Place::Vault { mount, path, field } => vault::read(r, vars, mount, path, field).await,
            Place::Env(name) => local::env(r, vars, name),
            Place::File(path) => local::file(r, vars, path),
            Place::OnePassword => local::op(r, "op").await,
        }
    };
    let text = match tokio::time::timeout(READ_TIMEOUT, reading).await {
        Ok(got) => got?,
        Err(_) => return Err(SourceError::new(r, Reason::Unreachable, format!("no answer within {} s", READ_TIMEOUT.as_secs()))),
    };
    usable(r, text)
}

/// Reads the value `r` names as bytes: a file's exactly as they are (a key store such as a
/// PKCS#12 file is binary), any other source's text. Bounded like [`read`].
pub async fn read_bytes(r: &Reference, vars: &(dyn Fn(&str) -> Option<String> + Sync)) -> Result<zeroize::Zeroizing<Vec<u8>>, SourceError> {
    let Place::File(path) = &r.place else {
        return read(r, vars).await.map(|v| zeroize::Zeroizing::new(v.expose().as_bytes().to_vec()));
    };
    let bytes = zeroize::Zeroizing::new(local::file_bytes(r, vars, path)?);
    if bytes.is_empty() {
        return Err(SourceError::new(r, Reason::Unusable, "the value is empty"));
    }
    Ok(bytes)
}

/// The process's environment, as [`read`] takes it.
pub fn process_vars(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `text` as a secret, when it can be one: not empty, not too large, no NUL.
fn usable(r: &Reference, text: String) -> Result<Secret, SourceError> {
    if text.is_empty() {
        return Err(SourceError::new(r, Reason::Unusable, "the value is empty"));
    }
    if text.len() > MAX_VALUE {
        return Err(SourceError::new(r, Reason::TooLarge, format!("the value is larger than {} KiB", MAX_VALUE / 1024)));
    }
    if text.contains('\0') {
        return Err(SourceError::new(r, Reason::Unusable, "the value holds a NUL character"));
    }
    Ok(Secret::new(text))
}
