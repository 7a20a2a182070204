//! Diagnosis of "OAUTH ERROR": walks a profile through every stage of a connection, stops
//! at the first that fails, and says what is wrong and what to change, with a redacted HTTP
//! trace that can be sent to support as it is.

mod checks;
pub mod kb;
mod report;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::desk::{Desk, DEFAULT_MARGIN};
use crate::error::{AnswerKind, Error, Result};
use crate::flows::exchange::{self, Grant};
use crate::flows::record::Recorder;
use crate::flows::test_call::TestResult;
use crate::flows::trace::TraceEntry;
use crate::model::{Check, Labelled, Stage, TokenInfo};
use crate::secret::{AuthorizationCode, ClientSecret};
use crate::template::{self, Flow};

/// One stage's result.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StageResult {
    pub name: Check,
    pub title: String,
    pub ok: bool,
    /// The stage did not run (an earlier one failed, or it does not apply).
    pub skipped: bool,
    pub finding: String,
    pub notes: Vec<String>,
}

impl StageResult {
    /// The stage's mark as text shows it: ✓ passed, ✗ failed, – not run.
    pub fn mark(&self) -> &'static str {
        if self.skipped {
            "–"
        } else if self.ok {
            "✓"
        } else {
            "✗"
        }
    }
}

/// A stage's verdict before it is named.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub ok: bool,
    pub finding: String,
    pub cause: Option<String>,
    pub fix: Vec<String>,
    pub notes: Vec<String>,
}

impl Outcome {
    pub fn ok(finding: &str) -> Self {
        Outcome { ok: true, finding: finding.to_string(), cause: None, fix: vec![], notes: vec![] }
    }
    pub fn fail(finding: String, cause: &str, fix: Vec<String>) -> Self {
        Outcome { ok: false, finding, cause: Some(cause.to_string()), fix, notes: vec![] }
    }
    pub fn with_notes(mut self, notes: Vec<String>) -> Self {
        self.notes.extend(notes);
        self
    }
}

/// The whole diagnosis.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Diagnosis {
    pub ok: bool,
    pub handle: String,
    pub at: DateTime<Utc>,
    pub stages: Vec<StageResult>,
    /// The first failing stage, its OAuth error, the cause and the steps to fix it.
    pub stage: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    pub cause: Option<String>,
    pub fix: Vec<String>,
    /// The knowledge-base entry that explained the error, if one did.
    pub knowledge: Option<String>,
    pub token: Option<TokenInfo>,
    pub test: Option<TestResult>,
    pub trace: Vec<TraceEntry>,
}

impl Diagnosis {
    fn new(handle: &str) -> Self {
        Diagnosis {
            ok: true,
            handle: handle.to_string(),
            at: Utc::now(),
            stages: Vec::new(),
            stage: None,
            error: None,
            error_description: None,
            cause: None,
            fix: Vec::new(),
            knowledge: None,
            token: None,
            test: None,
            trace: Vec::new(),
        }
    }

    /// Records a stage; returns whether the diagnosis goes on.
    fn stage(&mut self, name: Check, o: Outcome) -> bool {
        if !o.ok && self.ok {
            self.ok = false;
            self.stage = Some(name.as_str().to_string());
            self.cause = o.cause.clone();
            self.fix = o.fix.clone();
        }
        self.stages.push(StageResult { name, title: name.label().into(), ok: o.ok, skipped: false, finding: o.finding, notes: o.notes });
        o.ok
    }

    fn skip(&mut self, name: Check, why: &str) {
        self.stages.push(StageResult { name, title: name.label().into(), ok: true, skipped: true, finding: why.into(), notes: vec![] });
    }

    fn skip_rest(&mut self) {
        for check in Check::ALL.into_iter().skip(self.stages.len()) {
            self.skip(check, "not checked: an earlier stage failed");
        }
    }

    /// A failure that the HTTP status explains: a rate limit, or a failing server or gateway.
    fn by_status(status: u16, e: &Error) -> Outcome {
        if status == 429 {
            return Outcome::fail(
                e.to_string(),
                "The provider is limiting requests (HTTP 429, too many requests): the settings may well be right.",
                vec![
                    "Wait and try again (a Retry-After header, when sent, says how long).".into(),
                    "Make the integration reuse its token until it expires instead of asking for a new one each time.".into(),
                ],
            );
        }
        Outcome::fail(
            e.to_string(),
            &format!(
                "The provider's server, or a gateway or proxy in front of it, is failing or unavailable (HTTP {status}): this is not a wrong token URL or setting."
            ),
            vec!["Try again later, and check the provider's status page.".into(), "If it lasts, ask the provider (or your network team, for a gateway) what fails.".into()],
        )
    }

    /// Explains a failed request: an OAuth error through the knowledge base, otherwise by kind.
    fn explain(&mut self, e: &Error, is_salesforce: bool) -> Outcome {
        // What the status alone says, whatever the body: a limit, or a server (or a gateway
        // before it) that is failing — neither is a wrong setting (RFC 6585 §4, RFC 9110 §15.6).
        let status = match e {
            Error::OAuth { status, .. } => Some(*status),
            Error::BadResponse { status, .. } => *status,
            _ => None,
        };
        if let Some(status @ (429 | 502 | 503 | 504)) = status {
            if let Error::OAuth { error, description, .. } = e {
                self.error = Some(error.clone());
                self.error_description = description.clone();
            }
            return Self::by_status(status, e);
        }
        match e {
            Error::OAuth { error, description, status, .. } => {
                self.error = Some(error.clone());
                self.error_description = description.clone();
                let finding = format!(
                    "the provider answered HTTP {status}: {error}{}",
                    description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
                );
                match kb::lookup(error, description.as_deref()) {
                    Some(entry) => {
                        self.knowledge = Some(entry.id.clone());
                        Outcome::fail(finding, &entry.cause, entry.fix.clone())
                    }
                    None => Outcome::fail(
                        finding,
                        "The provider refused the request with an error OAuth Desk does not know yet.",
                        vec!["Read the provider's error_description above; the provider's documentation explains its own codes.".into()],
                    ),
                }
            }
            Error::BadResponse { message, kind: AnswerKind::Html, .. } | Error::BadResponse { message, status: Some(404), .. } => {
                Outcome::fail(
                    message.clone(),
                    "The token URL is not the provider's token endpoint (it answers with a web page or 'not found').",
                    vec![if is_salesforce {
                        "Use <My Domain>/services/oauth2/token.".into()
                    } else {
                        "Copy the token endpoint from the provider's documentation or its discovery document (token_endpoint).".into()
                    }],
                )
            }
            Error::BadResponse { message, kind: AnswerKind::Redirect, .. } => Outcome::fail(
                message.clone(),
                "The token URL redirects, which an OAuth endpoint never does: the host is wrong.",
                vec![if is_salesforce {
                    "Use the org's My Domain host, not login.salesforce.com or a Lightning URL.".into()
                } else {
                    "Use the final host of the token endpoint.".into()
                }],
            ),
            Error::Timeout { host, secs, .. } => Outcome::fail(
                e.to_string(),
                &format!("{host} took longer than {secs} s to answer."),
                vec!["Try again later; raise the profile's timeout if the provider is just slow.".into()],
            ),
            other => Outcome::fail(other.to_string(), "The request failed.", vec!["See the finding and the trace below.".into()]),
        }
    }
}

impl Desk {
    /// Diagnoses a profile; a failing connection is a result, not an error.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub async fn diagnose(&self, handle: &str) -> Result<Diagnosis> {
        let profile = self.get(handle)?;
        let template = template::find(&profile.template)?;
        let secret = self.client_secret(handle)?;
        let mut d = Diagnosis::new(handle);
        let mut rec = Recorder::examining();
        self.run_stages(&mut d, template, &profile.fields, secret.as_ref(), &mut rec).await;
        d.trace = rec.trace.unwrap_or_default();
        if !d.ok {
            d.skip_rest();
        }
        Ok(d)
    }

    async fn run_stages(
        &self,
        d: &mut Diagnosis,
        template: &'static template::Template,
        fields: &crate::Fields,
        secret: Option<&ClientSecret>,
        rec: &mut Recorder,
    ) {
        let handle = d.handle.clone();
        let (outcome, cfg) = checks::profile(template, fields, secret);
        if !d.stage(Check::Profile, outcome) {
            return;
        }
        let Some(cfg) = cfg else { return };
        if !d.stage(Check::Network, checks::network(&cfg).await) {
            return;
        }
        let is_sf = cfg.is_salesforce();
        let token = if template.flow == Flow::AuthorizationCode && !self.has_refresh_token(&handle) {
            // No sign-in here: a made-up code must be refused as invalid_grant, which proves
            // the endpoint is right and the client is accepted.
            // Its own recorder: the probe is no attempt of the profile's and stays out of the
            // history (only its trace is kept).
            let grant = Grant::AuthorizationCode {
                code: AuthorizationCode::new("oauthdesk-diagnose-probe"),
                redirect_uri: "http://127.0.0.1/callback".into(),
                verifier: None,
            };
            let mut probe_log = Recorder::tracing();
            let probe = exchange::request_token(&cfg, &grant, secret, &mut probe_log).await;
            if let (Some(t), Some(p)) = (rec.trace.as_mut(), probe_log.trace) {
                t.extend(p);
            }
            match probe {
                Err(Error::OAuth { error, .. }) if error == "invalid_grant" => {
                    d.stage(Check::TokenEndpoint, Outcome::ok("the token endpoint answers and accepts the client (a made-up code was refused with invalid_grant, as it should be)"));
                }
                Err(e) => {
                    let o = d.explain(&e, is_sf);
                    d.stage(Check::TokenEndpoint, o);
                    return;
                }
                Ok(_) => {
                    d.stage(Check::TokenEndpoint, Outcome::ok("the token endpoint answered"));
                }
            }
            match self.token_with(&handle, false, DEFAULT_MARGIN, rec).await {
                Ok(t) => t,
                Err(_) => {
                    d.skip(Check::TokenResponse, "not signed in: Authorize, then diagnose again to check the token and the test call");
                    d.skip(Check::TestCall, "needs a token");
                    d.skip(Check::Clock, "needs a token");
                    return;
                }
            }
        } else {
            match self.token_with(&handle, true, DEFAULT_MARGIN, rec).await {
                Ok(t) => {
                    let status = rec.attempts.iter().rev().find(|a| a.stage != Stage::Introspect).and_then(|a| a.status);
                    d.stage(
                        Check::TokenEndpoint,
                        Outcome::ok(&format!(
                            "the token endpoint issued a token (HTTP {})",
                            status.map(|s| s.to_string()).unwrap_or_else(|| "?".into())
                        )),
                    );
                    t
                }
                Err(e) => {
                    let o = d.explain(&e, is_sf);
                    d.stage(Check::TokenEndpoint, o);
                    return;
                }
            }
        };
        let info = token.info.clone();
        let expiry = match (info.expires_at, info.expires_in()) {
            (Some(_), Some(left)) => format!("expires in {left} s (from {})", info.expiry_source.label()),
            _ => format!("expiry unknown: {}", info.expiry_note.clone().unwrap_or_default()),
        };
        let mut o = Outcome::ok(&format!(
            "{} token{}, {expiry}",
            info.token_type,
            info.scope.as_deref().map(|s| format!(" for scope '{s}'")).unwrap_or_default()
        ));
        if !info.token_type.eq_ignore_ascii_case("bearer") {
            o.notes.push(format!("token_type is '{}', not Bearer: APIs expecting Bearer may refuse it", info.token_type));
        }
        d.stage(Check::TokenResponse, o);
        d.token = Some(info.clone());
        match self.test_recorded(&handle, &token, rec).await {
            Ok(Some(t)) if t.ok => {
                d.stage(Check::TestCall, Outcome::ok(&format!("{} {} answered HTTP {} in {} ms", t.method, t.url, t.status, t.elapsed_ms)));
                d.test = Some(t);
            }
            Ok(Some(t)) => {
                let finding = format!("{} {} answered HTTP {} after a good token", t.method, t.url, t.status);
                let o = if t.status == 401 || t.status == 403 {
                    if is_sf {
                        Outcome::fail(finding, "The token is valid, but its user (for client credentials, the app's Run As user) may not use this API.", vec![
                            "Give the Run As user's profile or a permission set 'API Enabled' and access to the objects the integration reads.".into(),
                            "Check the app's OAuth scopes include api.".into(),
                        ])
                    } else {
                        Outcome::fail(
                            finding,
                            "The token is valid, but lacks a scope or permission this API needs (or the API expects another audience).",
                            vec![
                                "Request the scope the API documents (scopes), or set the audience/resource it expects.".into(),
                                "Check the app has been granted access to this API in the provider's console.".into(),
                            ],
                        )
                    }
                } else {
                    Outcome::fail(
                        finding,
                        "The test URL did not answer as expected.",
                        vec!["Check test_url, test_method and default_params.".into()],
                    )
                };
                d.stage(Check::TestCall, o);
                d.test = Some(t);
            }
            Ok(None) => d.skip(Check::TestCall, "no test URL is set"),
            Err(e) => {
                let o = match &e {
                    Error::HostNotAllowed { .. } => Outcome::fail(
                        e.to_string(),
                        "The test URL (or a redirect) leads to a host the profile does not allow, so the token was not sent.",
                        vec!["Add the host to allowed_hosts if it is trusted, or correct test_url.".into()],
                    ),
                    _ => d.explain(&e, is_sf),
                };
                d.stage(Check::TestCall, o);
            }
        }
        let server_date = checks::server_date(rec.trace.as_deref().unwrap_or_default());
        d.stage(Check::Clock, checks::clock(&token.access_token, info.obtained_at, server_date));
    }

    fn has_refresh_token(&self, handle: &str) -> bool {
        let Ok((id, _)) = self.flow_config(handle) else { return false };
        matches!(self.cached_any(id), Ok(Some((_, Some(_)))))
    }

    /// The Markdown support report for a diagnosis: the profile without secrets, each stage,
    /// the cause and fix, and the redacted trace. Known secrets are scrubbed once more.
    pub fn report(&self, d: &Diagnosis) -> Result<String> {
        let profile = self.get(&d.handle)?;
        let mut text = report::markdown(&profile, d);
        let (id, _) = self.flow_config(&d.handle)?;
        let mut secrets: Vec<String> = self.client_secret(&d.handle)?.iter().map(|s| s.expose().to_string()).collect();
        if let Some((t, r)) = self.cached_any(id)? {
            secrets.push(t.access_token.expose().to_string());
            secrets.extend(r.iter().map(|r| r.expose().to_string()));
        }
        for s in secrets.iter().filter(|s| s.len() >= 4) {
            text = text.replace(s.as_str(), &crate::flows::trace::mark(s));
        }
        Ok(text)
    }
}
