//! The case file: one diagnosis that travels. It holds the profile without its secret, the
//! diagnosis as it was given (its JSON, whatever fields it has), the answers the servers
//! sent (redacted, as the trace shows them), the profile's recent history (redacted) and the
//! version of the knowledge base that explained it. Every string in it passes the one
//! redactor after the profile's secret and tokens are made known to it, so a case file can
//! be attached to a ticket as it is.
//!
//! Replaying a case diagnoses it again with no credential and without the recorded hosts:
//! a local player answers each request with the recorded answer (the sandbox's
//! `replay`), and [`Case::rediagnose`] points a throwaway profile at it, allowed to send to
//! 127.0.0.1 alone, in a throwaway store.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use super::ranking::Evidence;
use super::Diagnosis;
use crate::desk::Desk;
use crate::error::{Error, Result};
pub use crate::flows::record::RecordedAnswer;
use crate::flows::record::Recorder;
use crate::flows::trace;
use crate::knowledge::version;
use crate::model::{ExpirySource, Fields, TokenInfo, TokenSource};
use crate::secret::{Secret, SecretStore};
use crate::template;

#[path = "case_profile.rs"]
mod profile;
#[cfg(test)]
#[path = "case_profile_tests.rs"]
mod profile_tests;

/// What the `kind` of every case file says.
pub const CASE_KIND: &str = "oauthdesk-case";
/// The case format this build writes; it reads this one and every earlier one.
pub const CASE_FORMAT: u32 = 1;
/// The largest case file read (the trace keeps at most 4 KiB of each body).
pub const MAX_CASE_BYTES: u64 = 8 * 1024 * 1024;
/// The most answers a case holds, and the history attempts it keeps.
const MAX_ANSWERS: usize = 64;
const HISTORY: usize = 20;

/// One diagnosis, with what it needs to be replayed elsewhere.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Case {
    /// Always [`CASE_KIND`].
    pub kind: String,
    pub format: u32,
    pub written_at: DateTime<Utc>,
    /// The OAuth Desk version that wrote it.
    pub program: String,
    /// The knowledge base's version ([`crate::knowledge::version`]) that explained it.
    pub knowledge: String,
    pub profile: CaseProfile,
    /// Whether the profile held a refresh token (so the replay renews one, as it did).
    pub signed_in: bool,
    /// Every answer the servers sent during the diagnosis, in order.
    pub answers: Vec<RecordedAnswer>,
    /// The profile's recent attempts, newest first, as its history holds them.
    #[ts(type = "unknown")]
    pub history: serde_json::Value,
    /// The diagnosis as `diagnose` gave it: its JSON whole, so fields added to a diagnosis
    /// travel unchanged.
    #[ts(type = "unknown")]
    pub diagnosis: serde_json::Value,
    /// The evidence the recorded ranking of causes weighed, read from the history of the
    /// desktop that recorded it (times, whether the refresh token had worked, later sign-ins,
    /// network paths; never a token): a replay has no such history, and ranks from this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub evidence: Option<Evidence>,
}

/// The profile without its secret (the store never keeps a secret in its fields).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseProfile {
    pub handle: String,
    pub label: String,
    pub template: String,
    pub fields: Fields,
}

/// A replayed case: the diagnosis it gives now, beside what it recorded.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CaseReplay {
    pub diagnosis: Diagnosis,
    /// The recorded diagnosis, as the case holds it.
    #[ts(type = "unknown")]
    pub recorded: serde_json::Value,
    pub written_at: DateTime<Utc>,
    /// The knowledge base that explained it then, and whether this build's is the same.
    pub knowledge: String,
    pub same_knowledge: bool,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid("case", message.into())
}

impl Desk {
    /// The case file of a diagnosis of one of this store's profiles, as JSON text. The
    /// profile's secret and tokens (current and earlier ones) are read first, so the
    /// redactor knows them, and every string of the file passes it.
    pub fn case(&self, d: &Diagnosis) -> Result<String> {
        let profile = self.get(&d.handle)?;
        let (id, cfg) = self.flow_config(&d.handle)?;
        // Read for the redactor: each secret type makes its value known as it is made. The
        // secret is known in its Basic spellings too, whatever the profile's client
        // authentication: a server may echo a password or secret in any of them.
        if let Some(secret) = self.client_secret(&d.handle)? {
            crate::secret::redact::register_basic(&cfg.client_id, secret.expose());
        }
        let tokens = self.cached_any(id)?;
        let signed_in = matches!(tokens, Some((_, Some(_))));
        let answers = d.answers.iter().take(MAX_ANSWERS).map(credentials_marked).collect();
        let case = Case {
            kind: CASE_KIND.into(),
            format: CASE_FORMAT,
            written_at: Utc::now(),
            program: env!("CARGO_PKG_VERSION").into(),
            knowledge: version::version().into(),
            profile: CaseProfile { handle: profile.handle, label: profile.label, template: profile.template, fields: profile.fields },
            signed_in,
            answers,
            history: to_json(&self.history(&d.handle, HISTORY)?)?,
            diagnosis: to_json(d)?,
            evidence: self.case_evidence(d)?,
        };
        let mut value = to_json(&case)?;
        crate::secret::redact::json(&mut value);
        serde_json::to_string_pretty(&value).map_err(|e| Error::Internal(format!("the case does not serialize: {e}")))
    }
}

/// The most of one answer's body a case keeps.
const BODY_CAP: usize = 256 * 1024;

/// An answer with the credentials it carries by name marked (a token answer's tokens, an
/// authorization code in a redirect), before the redactor looks for every known value: a
/// code or token this store never kept is no value the redactor knows. Error codes stay
/// (`"code"` in a JSON error body names the error, never a credential).
fn credentials_marked(a: &RecordedAnswer) -> RecordedAnswer {
    let headers = a
        .headers
        .iter()
        .map(|(k, v)| {
            let v = match k.to_ascii_lowercase().as_str() {
                "location" => marked_parameters(v),
                "set-cookie" | "authorization" => trace::mark(v),
                _ => v.clone(),
            };
            (k.clone(), v)
        })
        .collect();
    let mut body = crate::model::text::cut_bytes_at_char_boundary(&a.body, BODY_CAP).to_string();
    if let Ok(mut json) = serde_json::from_str::<serde_json::Value>(&body) {
        mark_json(&mut json);
        body = serde_json::to_string_pretty(&json).unwrap_or(body);
    }
    RecordedAnswer { url: marked_parameters(&a.url), headers, body, ..a.clone() }
}

fn mark_json(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                match val.as_str() {
                    Some(s) if k != "code" && trace::sensitive_param(k) => *val = serde_json::Value::String(trace::mark(s)),
                    _ => mark_json(val),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mark_json),
        _ => {}
    }
}

/// A URL with the values of its credential parameters (`code`, tokens, assertions) marked.
fn marked_parameters(u: &str) -> String {
    let Ok(mut url) = Url::parse(u) else { return u.to_string() };
    let mark = |pairs: Vec<(String, String)>| -> Option<String> {
        if !pairs.iter().any(|(k, _)| trace::sensitive_param(k)) {
            return None;
        }
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            out.append_pair(k, &if trace::sensitive_param(k) { trace::mark(v) } else { v.clone() });
        }
        Some(out.finish())
    };
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    if let Some(q) = mark(query) {
        url.set_query(Some(&q));
    }
    let fragment: Vec<(String, String)> =
        url.fragment().map(|f| url::form_urlencoded::parse(f.as_bytes()).into_owned().collect()).unwrap_or_default();
    if let Some(f) = mark(fragment) {
        url.set_fragment(Some(&f));
    }
    url.to_string()
}

fn to_json<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::Internal(format!("the case does not serialize: {e}")))
}

impl Case {
    /// Reads a case file: at most [`MAX_CASE_BYTES`] of it (a larger one is refused).
    pub fn read(path: &Path) -> Result<Case> {
        use std::io::Read as _;
        let named = |e: std::io::Error| Error::Io(std::io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display())));
        let file = std::fs::File::open(path).map_err(named)?;
        let mut text = String::new();
        file.take(MAX_CASE_BYTES + 1).read_to_string(&mut text).map_err(named)?;
        Case::parse(&text)
    }

    /// Reads a case file's text: its kind, a format this build reads, and bounded contents.
    pub fn parse(text: &str) -> Result<Case> {
        if text.len() as u64 > MAX_CASE_BYTES {
            return Err(invalid(format!("the file is larger than a case file can be ({MAX_CASE_BYTES} bytes)")));
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| invalid(format!("not a case file (not JSON: {e})")))?;
        if value.get("kind").and_then(|k| k.as_str()) != Some(CASE_KIND) {
            return Err(invalid("not a case file (it lacks \"kind\": \"oauthdesk-case\")"));
        }
        let format = value.get("format").and_then(|f| f.as_u64()).unwrap_or(0);
        if format == 0 || format > u64::from(CASE_FORMAT) {
            return Err(invalid(format!(
                "case format {format} is not one this OAuth Desk reads (it reads 1 to {CASE_FORMAT}); update OAuth Desk to open it"
            )));
        }
        let case: Case = serde_json::from_value(value).map_err(|e| invalid(format!("the case file is damaged: {e}")))?;
        if case.answers.len() > MAX_ANSWERS {
            return Err(invalid(format!("the case holds more than {MAX_ANSWERS} answers")));
        }
        template::find(&case.profile.template)?;
        Ok(case)
    }

    /// The origins (`scheme://host:port`) the recorded answers came from.
    fn recorded_origins(&self) -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        let urls = self.answers.iter().map(|a| a.url.as_str());
        let fields = self.profile.fields.values().map(String::as_str);
        for u in urls.chain(fields) {
            if let Ok(url) = Url::parse(u) {
                let origin = url.origin().ascii_serialization();
                if matches!(url.scheme(), "http" | "https") && !all.contains(&origin) {
                    all.push(origin);
                }
            }
        }
        // The longest first, so `https://a.example:8443` is not cut by `https://a.example`.
        all.sort_by_key(|o| std::cmp::Reverse(o.len()));
        all
    }

    /// `text` with every recorded origin replaced by `player`'s.
    fn moved(&self, text: &str, player: &str) -> String {
        self.recorded_origins().iter().fold(text.to_string(), |t, o| t.replace(o.as_str(), player))
    }

    /// The answers as the player serves them: paths and bodies pointing at `player`.
    pub fn answers_at(&self, player: &str) -> Vec<RecordedAnswer> {
        self.answers
            .iter()
            .map(|a| RecordedAnswer {
                url: self.moved(&a.url, player),
                headers: a.headers.iter().map(|(k, v)| (k.clone(), self.moved(v, player))).collect(),
                body: self.moved(&a.body, player),
                ..a.clone()
            })
            .collect()
    }

    /// Diagnoses the case again against the player at `player` (a loopback address), in a
    /// new store in `dir` whose secrets live in memory. Refuses when any endpoint of the
    /// replayed profile, or any request the diagnosis made, is not the player's.
    pub async fn rediagnose(&self, player: &Url, dir: &Path) -> Result<CaseReplay> {
        let loopback = player.host_str() == Some("127.0.0.1") && player.scheme() == "http";
        if !loopback {
            return Err(invalid(format!("a case is replayed against the local player on 127.0.0.1 only, not {player}")));
        }
        let origin = player.origin().ascii_serialization();
        let desk = Desk::open(dir, Arc::new(Memory::default()))?;
        let new = self.replay_profile(player)?;
        let handle = new.handle.clone();
        desk.create(new)?;
        let (id, cfg) = desk.flow_config(&handle)?;
        if let Some(elsewhere) = profile::elsewhere(&cfg, &origin) {
            return Err(invalid(format!(
                "the case's profile reaches {} through a setting the replay cannot point at the local player; it is not replayed",
                elsewhere.origin().ascii_serialization()
            )));
        }
        desk.stand_in_key(&handle, &cfg, !self.answers.is_empty())?;
        if self.signed_in {
            desk.seed_refresh_token(id)?;
        }
        let mut d = desk.diagnose(&handle).await?;
        if let Some(ranked) = self.recorded_ranking(&d) {
            d.ranking = ranked;
        }
        if let Some(t) = d.trace.iter().find(|t| !t.url.starts_with(&origin)) {
            return Err(Error::Internal(format!("the replay asked {} rather than the local player", t.url)));
        }
        Ok(CaseReplay {
            diagnosis: d,
            recorded: self.diagnosis.clone(),
            written_at: self.written_at,
            same_knowledge: self.knowledge == version::version(),
            knowledge: self.knowledge.clone(),
        })
    }
}

impl Desk {
    /// Gives a replayed profile an expired token with a refresh token (values that are no
    /// one's), so its diagnosis renews it as the recorded one did.
    fn seed_refresh_token(&self, id: i64) -> Result<()> {
        let response = crate::flows::token::parse(
            &serde_json::json!({ "access_token": "replayed-access-token", "token_type": "Bearer", "refresh_token": "replayed-refresh-token" }),
            "access_token",
        )
        .map_err(Error::Internal)?;
        let now = Utc::now();
        let mut info = TokenInfo {
            token_type: "Bearer".into(),
            scope: None,
            obtained_at: now - chrono::Duration::hours(2),
            expires_at: Some(now - chrono::Duration::hours(1)),
            expiry_source: ExpirySource::ExpiresIn,
            expiry_note: None,
            instance_url: None,
            issued_at: None,
            refresh_token: true,
            source: TokenSource::Network,
            extra: Default::default(),
            id_token_claims: None,
            previous_key: false,
        };
        self.store_token(id, &response, &mut info, None, &mut Recorder::tracing())
    }
}

/// The secrets of a replay's throwaway store: in memory, gone with it (a replay never
/// touches the OS keyring).
#[derive(Default)]
struct Memory(Mutex<HashMap<String, String>>);

impl SecretStore for Memory {
    fn get(&self, key: &str) -> Result<Option<Secret>> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned().map(Secret::new))
    }
    fn set(&self, key: &str, value: &Secret) -> Result<()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_string(), value.expose().to_string());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<()> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
        Ok(())
    }
}
