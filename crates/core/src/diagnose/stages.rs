//! The stages a diagnosis walks, in order: the profile, the network, the authorization page
//! (authorization code), the token endpoint (a new token, a refresh, or a made-up code for a
//! profile not signed in), the token, the test call and the clock. Each failure goes through
//! one explanation ([`super::advice`]); nothing here deletes or replaces what it examines,
//! except by a new valid token.

use base64::Engine as _;

use super::advice::{Context, Seen};
use super::{checks, Diagnosis, Outcome};
use crate::desk::{Desk, DEFAULT_MARGIN};
use crate::error::Error;
use crate::flows::config::FlowConfig;
use crate::flows::exchange::{self, Grant};
use crate::flows::record::Recorder;
use crate::flows::{authorize, device};
use crate::knowledge::{self, answer, recognise, Problem, Provider};
use crate::model::{Check, Fields, Labelled, Stage};
use crate::secret::source::{Reference, SourceError};
use crate::secret::{AuthorizationCode, ClientSecret, PkceVerifier};
use crate::template;

/// The provider a profile talks to: the one set on the profile, else its template's, else
/// the one its token (or authorization) URL belongs to.
pub fn provider_of(cfg: &FlowConfig, fields: &Fields) -> Option<&'static Provider> {
    match fields.get("provider").map(|p| p.trim()).filter(|p| !p.is_empty() && *p != "auto") {
        Some(id) => knowledge::provider(id),
        None => cfg
            .template
            .provider
            .and_then(|p| knowledge::provider(p.id()))
            .or_else(|| recognise::from_url(&cfg.token_url))
            .or_else(|| cfg.authorize_url.as_ref().and_then(recognise::from_url)),
    }
}

/// The loopback redirect URI the sign-in would use (a free port when the profile picks one
/// each time).
fn loopback_redirect(cfg: &FlowConfig) -> String {
    let port = match cfg.redirect_port {
        0 => std::net::TcpListener::bind(("127.0.0.1", 0)).and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(8080),
        p => p,
    };
    format!("http://127.0.0.1:{port}{}", cfg.redirect_path)
}

/// The error Google's error page carries in its URL (`authError`, base64 of its message).
fn auth_error(url: &url::Url) -> Option<Problem> {
    let value = url.query_pairs().find(|(k, _)| k == "authError")?.1.into_owned();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value.trim_end_matches('='))
        .or_else(|_| base64::engine::general_purpose::STANDARD.decode(&value))
        .ok()?;
    let text: String = String::from_utf8_lossy(&bytes).chars().filter(|c| !c.is_control()).collect();
    answer::parse(Some("text/plain"), text.as_bytes()).filter(|p| !p.codes.is_empty())
}

impl Desk {
    pub(super) async fn run_stages(
        &self,
        d: &mut Diagnosis,
        template: &'static template::Template,
        fields: &Fields,
        secret: Option<&ClientSecret>,
        sources: &[(&Reference, Option<&SourceError>)],
        rec: &mut Recorder,
    ) {
        let handle = d.handle.clone();
        let (mut outcome, cfg) = checks::profile(template, fields, secret);
        let Some(mut cfg) = cfg else {
            d.stage(Check::Profile, outcome);
            return;
        };
        // The profile's CA bundle and key serve the diagnosis's own requests too.
        if let Err(e) = self.attach_credentials(&handle, &mut cfg) {
            outcome = Outcome::found("profile-credentials-unreadable", &[("error", &e.to_string())]);
        }
        if outcome.ok {
            outcome = checks::certificate(&cfg, outcome);
        }
        match self.confirmed(&handle) {
            Ok(confirmed) => cfg.confirmed = confirmed,
            Err(e) => outcome = Outcome::found("profile-unreadable", &[("error", &e.to_string())]),
        }
        if outcome.ok {
            outcome = checks::confirmed(&cfg, outcome);
        }
        if !d.stage(Check::Profile, outcome) {
            return;
        }
        if !sources.is_empty() && !d.stage(Check::SecretSource, checks::secret_sources(sources)) {
            return;
        }
        let provider = provider_of(&cfg, fields);
        d.provider = provider.map(|p| p.name.clone());
        let ctx = Context { provider, proxy: checks::proxy_for(&cfg.token_url), hints: cfg.rules().hints(), grant: Some(template.flow) };
        if !d.stage(Check::Network, checks::network(&cfg).await) {
            return;
        }
        let code_flow = template.flow.redirects();
        if code_flow {
            let o = authorization(d, &cfg, &ctx, rec).await;
            if !d.stage(Check::Authorization, o) {
                return;
            }
        } else if template.flow.polls() {
            let o = device_authorization(d, &cfg, secret, &ctx, rec).await;
            if !d.stage(Check::Authorization, o) {
                return;
            }
        } else {
            d.skip(Check::Authorization, "this flow has no sign-in page");
        }
        if template.flow.polls() && !self.has_refresh_token(&handle) {
            d.skip(Check::TokenEndpoint, "not signed in: Authorize (with the device code), then diagnose again");
            d.skip(Check::TokenResponse, "needs a sign-in");
            d.skip(Check::TestCall, "needs a token");
            d.skip(Check::Clock, "needs a token");
            return;
        }
        let token = if code_flow && !self.has_refresh_token(&handle) {
            let o = made_up_code(d, &cfg, secret, &ctx, rec).await;
            if !d.stage(Check::TokenEndpoint, o) {
                return;
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
                    let what = if code_flow { "renewed the token with the refresh token" } else { "issued a token" };
                    let status = status.map(|s| s.to_string()).unwrap_or_else(|| "?".into());
                    d.stage(Check::TokenEndpoint, Outcome::ok(&format!("the token endpoint {what} (HTTP {status})")));
                    t
                }
                Err(e) => {
                    let o = d.explain(&e, &ctx, rec.trace.as_deref().and_then(<[_]>::last));
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
                let o = d.explain_test(&t, &ctx, info.scope.as_deref());
                d.stage(Check::TestCall, o);
                d.test = Some(t);
            }
            Ok(None) => d.skip(Check::TestCall, "no test URL is set"),
            Err(e) => {
                let o = match &e {
                    Error::HostNotAllowed { .. } => Outcome::found("test-host-not-allowed", &[("error", &e.to_string())]),
                    _ => d.explain(&e, &ctx, rec.trace.as_deref().and_then(<[_]>::last)),
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
}

/// The authorization page, opened without signing in: an error the provider shows there (an
/// unregistered redirect URI, an unknown client, a scope it refuses) fails the stage; its
/// sign-in page passes it.
async fn authorization(d: &mut Diagnosis, cfg: &FlowConfig, ctx: &Context, rec: &mut Recorder) -> Outcome {
    match authorize::probe(cfg, &loopback_redirect(cfg), rec).await {
        Ok(probe) => authorization_page(d, &probe, ctx),
        Err(e) => d.explain(&e, ctx, None),
    }
}

/// What the authorization page answered, judged: an error sent back to the redirect URI or
/// named in a page's URL, an error page, or the provider's sign-in.
pub(super) fn authorization_page(d: &mut Diagnosis, probe: &authorize::Probe, ctx: &Context) -> Outcome {
    let at = probe.url.as_str().split('?').next().unwrap_or_default().to_string();
    if let Some(to) = &probe.location {
        let pairs: Vec<(String, String)> = to.query_pairs().into_owned().collect();
        let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        let problem = match get("error") {
            Some(error) => Some(Problem::oauth(error, answer::described(get("error_description"), get("error_hint")).as_deref())),
            None => auth_error(to),
        };
        if let Some(p) = problem {
            let finding = format!(
                "the authorization page sent back {}{}",
                p.code().unwrap_or("an error"),
                p.description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
            );
            return refused(d, &finding, probe, &p, ctx);
        }
        if get("code").is_some() {
            return Outcome::ok("the provider sent a code back at once (a session was already signed in)");
        }
    }
    let page = answer::parse(probe.content_type.as_deref(), probe.body.as_bytes());
    let explained = page
        .as_ref()
        .is_some_and(|p| !p.codes.is_empty() || knowledge::lookup(&ctx.query_for(Some(Stage::Authorize), Some(probe.status), p)).is_some());
    if let Some(p) = page.as_ref().filter(|_| explained || probe.status >= 400) {
        let finding =
            format!("{at} answered HTTP {} with an error page{}", probe.status, p.code().map(|c| format!(" ({c})")).unwrap_or_default());
        return refused(d, &finding, probe, p, ctx);
    }
    if (300..400).contains(&probe.status) {
        return Outcome::ok(&format!(
            "the provider sends the browser to its sign-in (HTTP {}) for this client, redirect URI and scopes",
            probe.status
        ));
    }
    if probe.status >= 400 {
        let e = Error::BadResponse {
            stage: Stage::Authorize,
            status: Some(probe.status),
            kind: crate::error::AnswerKind::Status,
            message: format!("{at} answered HTTP {}", probe.status),
        };
        return d.explain(&e, ctx, None);
    }
    Outcome::ok(&format!("the provider shows its sign-in page (HTTP {}) for this client, redirect URI and scopes", probe.status))
}

/// An authorization page's refusal, explained.
fn refused(d: &mut Diagnosis, finding: &str, probe: &authorize::Probe, p: &Problem, ctx: &Context) -> Outcome {
    let mut headers = probe.headers.clone();
    headers.extend(probe.location.as_ref().map(|l| ("location".to_string(), l.to_string())));
    let answered_by = recognise::from_answer(&headers, &probe.body, Some(p));
    let seen = Seen { stage: Some(Stage::Authorize), status: Some(probe.status), problem: Some(p), answered_by, ..Seen::default() };
    d.advise(finding, &seen, ctx).unwrap_or_else(|| {
        let error = Error::Denied { error: p.code().unwrap_or("error").to_string(), description: p.description.clone() };
        let mut o = d.explain(&error, ctx, None);
        o.finding = finding.to_string();
        o
    })
}

/// A device-code profile: its device authorization request, made as a sign-in would (the
/// codes are never shown and expire unused), so a refusal (an unknown client, the device
/// flow not enabled for it, a scope refused) is found before anyone signs in. Like the
/// made-up code, it is no attempt of the profile's: only its trace is kept.
async fn device_authorization(
    d: &mut Diagnosis,
    cfg: &FlowConfig,
    secret: Option<&ClientSecret>,
    ctx: &Context,
    rec: &mut Recorder,
) -> Outcome {
    let mut probe_log = rec.probe();
    let started = device::start(cfg, secret, &mut probe_log).await;
    rec.absorb(probe_log);
    match started {
        Ok((_, start)) => Outcome::ok(&format!(
            "the device authorization endpoint issued a user code (valid {} s), as it would for a sign-in",
            start.expires_in
        )),
        Err(e) => d.explain(&e, ctx, rec.trace.as_deref().and_then(<[_]>::last)),
    }
}

/// Whether an answer no entry explains is a provider's ordinary refusal of a code it never
/// issued: `invalid_grant` (RFC 6749), a provider's own code for it (`invalid_code`,
/// `bad_verification_code`), or `invalid_request` whose words say the code is invalid or
/// expired.
fn refuses_a_code(error: &str, description: Option<&str>) -> bool {
    let words = description.unwrap_or_default().to_lowercase();
    let about_the_code = words.contains("code")
        && ["invalid", "expired", "not valid", "malformed", "not found", "unknown", "incorrect"].iter().any(|w| words.contains(w));
    match error.to_ascii_lowercase().as_str() {
        "invalid_grant" | "invalid_code" | "bad_verification_code" | "bad_auth_code" | "code_invalid" | "expired_code" => true,
        "invalid_request" => about_the_code,
        _ => false,
    }
}

/// A profile not signed in: a made-up code must be refused as a bad code, which proves the
/// endpoint is right and the client is accepted. The probe is no attempt of the profile's
/// and stays out of its history (only its trace is kept).
async fn made_up_code(d: &mut Diagnosis, cfg: &FlowConfig, secret: Option<&ClientSecret>, ctx: &Context, rec: &mut Recorder) -> Outcome {
    let grant = Grant::AuthorizationCode {
        code: AuthorizationCode::new("oauthdesk-diagnose-probe"),
        redirect_uri: loopback_redirect(cfg),
        // A verifier of the right form, so a provider that requires PKCE looks at the code.
        verifier: cfg.pkce.then(|| PkceVerifier::new("oauthdesk-diagnose-probe-verifier-0123456789abcdef")),
    };
    let mut probe_log = rec.probe();
    let probe = exchange::request_token(cfg, &grant, secret, &mut probe_log).await;
    rec.absorb(probe_log);
    match probe {
        Err(e) => {
            if let Error::OAuth { status, error, description, .. } = &e {
                let problem = Problem::oauth(error, description.as_deref());
                let last = rec.trace.as_deref().and_then(<[_]>::last);
                let (headers, body) =
                    last.map(|t| (t.response_headers.as_slice(), t.response_body.as_deref().unwrap_or_default())).unwrap_or_default();
                let provider = ctx.provider.or_else(|| recognise::from_answer(headers, body, Some(&problem)));
                let query = knowledge::Query {
                    provider: provider.map(|p| p.id.as_str()),
                    ..ctx.query_for(Some(Stage::Token), Some(*status), &problem)
                };
                let bad_code = match knowledge::lookup(&query) {
                    Some(entry) => entry.refuses_code,
                    None => refuses_a_code(error, description.as_deref()),
                };
                if bad_code {
                    return Outcome::ok(&format!(
                        "the token endpoint answers and accepts the client (a made-up code was refused with {error}, as it should be)"
                    ));
                }
            }
            d.explain(&e, ctx, rec.trace.as_deref().and_then(<[_]>::last))
        }
        Ok(_) => Outcome::ok("the token endpoint answered"),
    }
}

#[cfg(test)]
mod tests {
    use super::refuses_a_code;

    #[test]
    fn each_providers_ordinary_refusal_of_a_made_up_code_is_accepted() {
        for (error, words) in [
            ("invalid_grant", None),
            ("invalid_code", None),
            ("bad_verification_code", Some("The code passed is incorrect or expired.")),
            ("invalid_request", Some("Authorization code is invalid or expired.")),
            ("invalid_request", Some("The code is not valid")),
            ("INVALID_GRANT", Some("")),
        ] {
            assert!(refuses_a_code(error, words), "{error} {words:?}");
        }
        // A refusal of the client, or a request missing something else, is no such answer.
        for (error, words) in [
            ("invalid_client", Some("Invalid client credentials")),
            ("invalid_request", Some("Missing parameter: client_id")),
            ("unauthorized_client", None),
            ("invalid_request", None),
        ] {
            assert!(!refuses_a_code(error, words), "{error} {words:?}");
        }
    }
}
