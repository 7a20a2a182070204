//! Requests to the provider's OAuth endpoints (token, introspection): client authentication
//! as the profile says, form or JSON bodies, and one reading of the answer that tells a
//! token apart from an OAuth error, an HTML page, a redirect or an oversized body.

use std::time::Instant;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;
use url::Url;

use super::config::{BodyFormat, ClientAuth, FlowConfig};
use super::http;
use super::token::{self, TokenResponse};
use super::trace::{self as tr, TraceEntry};
use crate::error::{Error, Result, Stage};
use crate::secret::Secret;

/// One request made for a profile, as kept in its history. Never holds a secret or a token.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub stage: Stage,
    pub ok: bool,
    pub status: Option<u16>,
    pub elapsed_ms: u64,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

impl Attempt {
    fn new(stage: Stage, started: Instant, status: Option<u16>, result: &Result<Value>) -> Self {
        let (error, error_description) = match result {
            Ok(_) => (None, None),
            Err(Error::OAuth { error, description, .. }) => (Some(error.clone()), description.clone()),
            Err(e) => (Some(e.code().to_string()), Some(e.to_string())),
        };
        Attempt {
            at: Utc::now(),
            stage,
            ok: result.is_ok(),
            status,
            elapsed_ms: started.elapsed().as_millis() as u64,
            error,
            error_description,
        }
    }
}

/// What a flow records as it goes: the attempts (kept in the history) and, when a diagnosis
/// asks for it, the redacted HTTP trace.
#[derive(Debug, Default)]
pub struct Recorder {
    pub attempts: Vec<Attempt>,
    pub trace: Option<Vec<TraceEntry>>,
}

impl Recorder {
    /// A recorder that also keeps the HTTP trace.
    pub fn tracing() -> Self {
        Recorder { attempts: Vec::new(), trace: Some(Vec::new()) }
    }

    pub fn push(&mut self, attempt: Attempt) {
        self.attempts.push(attempt);
    }

    pub fn trace(&mut self, entry: impl FnOnce() -> TraceEntry) {
        if let Some(t) = &mut self.trace {
            t.push(entry());
        }
    }
}

/// `application/x-www-form-urlencoded` encoding of one value (RFC 6749 §2.3.1 for Basic).
fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// POSTs `params` to an OAuth endpoint with the client's authentication and returns the
/// JSON it answered, recording the attempt in `log`.
pub async fn post(
    cfg: &FlowConfig,
    stage: Stage,
    url: &Url,
    mut params: Vec<(String, String)>,
    body: BodyFormat,
    secret: Option<&Secret>,
    log: &mut Recorder,
) -> Result<Value> {
    let client = http::client(cfg.timeout, url)?;
    let mut headers: Vec<(String, String)> = vec![("accept".into(), "application/json".into())];
    match (cfg.client_auth, secret) {
        (ClientAuth::Basic, Some(secret)) => {
            let pair = format!("{}:{}", form_encode(&cfg.client_id), form_encode(secret.expose()));
            let basic = base64::engine::general_purpose::STANDARD.encode(pair);
            headers.push(("authorization".into(), format!("Basic {basic}")));
        }
        (ClientAuth::Post, Some(secret)) => {
            params.push(("client_id".into(), cfg.client_id.clone()));
            params.push(("client_secret".into(), secret.expose().to_string()));
        }
        // A public client identifies itself in the body.
        (_, None) => params.push(("client_id".into(), cfg.client_id.clone())),
    }
    let encode = |params: &[(String, String)]| match body {
        BodyFormat::Form => url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish(),
        BodyFormat::Json => {
            let map: serde_json::Map<String, Value> = params.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
            Value::Object(map).to_string()
        }
    };
    headers.push((
        "content-type".into(),
        if body == BodyFormat::Json { "application/json" } else { "application/x-www-form-urlencoded" }.into(),
    ));
    let mut req = client.post(url.clone()).body(encode(&params));
    for (k, v) in &headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let started = Instant::now();
    let mut trace = TraceEntry {
        stage,
        method: "POST".into(),
        url: url.to_string(),
        request_headers: tr::redact_headers(headers.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        request_body: Some(match body {
            // Shown unencoded so the redaction markers stay readable.
            BodyFormat::Form => tr::redact_params(&params).iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"),
            BodyFormat::Json => encode(&tr::redact_params(&params)),
        }),
        status: None,
        response_headers: Vec::new(),
        response_body: None,
        elapsed_ms: 0,
        error: None,
    };
    let (status, result) = match req.send().await {
        Err(e) => (None, Err(http::transport_error(e, stage, url, cfg.timeout))),
        Ok(resp) => {
            let status = resp.status().as_u16();
            trace.status = Some(status);
            trace.response_headers = tr::redact_headers(resp.headers().iter().map(|(k, v)| (k.as_str(), v.to_str().unwrap_or("?"))));
            (Some(status), read_json(resp, stage, url, cfg, &mut trace).await)
        }
    };
    let attempt = Attempt::new(stage, started, status, &result);
    tracing::info!(stage = %stage, status, elapsed_ms = attempt.elapsed_ms, ok = attempt.ok, host = url.host_str(), "oauth request");
    trace.elapsed_ms = attempt.elapsed_ms;
    trace.error = result.as_ref().err().map(|e| e.to_string());
    log.trace(|| trace);
    log.push(attempt);
    result
}

async fn read_json(resp: reqwest::Response, stage: Stage, url: &Url, cfg: &FlowConfig, trace: &mut TraceEntry) -> Result<Value> {
    let status = resp.status().as_u16();
    if resp.status().is_redirection() {
        let to = resp.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or("?").to_string();
        return Err(Error::BadResponse {
            stage,
            status: Some(status),
            message: format!(
                "{url} answered with a redirect (HTTP {status}) to {to}; an OAuth endpoint never redirects, so the URL or host is wrong{}",
                if cfg.is_salesforce() { " (Salesforce: use the org's My Domain)" } else { "" }
            ),
        });
    }
    let (body, truncated) =
        http::read_capped(resp, http::TOKEN_BODY_CAP).await.map_err(|e| http::transport_error(e, stage, url, cfg.timeout))?;
    trace.response_body = tr::body(&body);
    if truncated {
        return Err(Error::BadResponse {
            stage,
            status: Some(status),
            message: format!(
                "{url} sent more than {} KiB (HTTP {status}); that is no OAuth response, reading stopped",
                http::TOKEN_BODY_CAP / 1024
            ),
        });
    }
    if (200..300).contains(&status) && body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null); // revocation answers 200 with nothing
    }
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    if let Some(err) = json.as_ref().and_then(|j| j.get("error")).and_then(Value::as_str) {
        if !(200..300).contains(&status) || json.as_ref().and_then(|j| j.get(&cfg.token_field)).is_none() {
            let description = json.as_ref().and_then(|j| j.get("error_description")).and_then(Value::as_str).map(str::to_string);
            return Err(Error::OAuth { stage, status, error: err.to_string(), description });
        }
    }
    match json {
        Some(j) if (200..300).contains(&status) => Ok(j),
        Some(j) => Err(Error::BadResponse {
            stage,
            status: Some(status),
            message: format!("{url} answered HTTP {status}: {}", preview(&j.to_string())),
        }),
        None if http::looks_like_html(&body) => Err(Error::BadResponse {
            stage,
            status: Some(status),
            message: format!(
                "{url} answered with an HTML page (HTTP {status}), not JSON: this is probably not the {stage} endpoint; check the URL"
            ),
        }),
        None => Err(Error::BadResponse {
            stage,
            status: Some(status),
            message: format!("{url} answered HTTP {status} with a body that is not JSON: {}", preview(&String::from_utf8_lossy(&body))),
        }),
    }
}

fn preview(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 200 {
        format!("{}…", s.chars().take(200).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The client-credentials grant (RFC 6749 §4.4).
#[tracing::instrument(skip_all, fields(host = cfg.token_url.host_str()), err(level = "info"))]
pub async fn client_credentials(cfg: &FlowConfig, secret: &Secret, log: &mut Recorder) -> Result<TokenResponse> {
    let mut params = vec![("grant_type".to_string(), "client_credentials".to_string())];
    if let Some(scope) = &cfg.scopes {
        params.push(("scope".into(), scope.clone()));
    }
    params.extend(cfg.token_params.iter().cloned());
    let json = post(cfg, Stage::Token, &cfg.token_url, params, cfg.body, Some(secret), log).await?;
    token_response(&json, cfg, Stage::Token)
}

fn token_response(json: &Value, cfg: &FlowConfig, stage: Stage) -> Result<TokenResponse> {
    token::parse(json, &cfg.token_field).map_err(|message| Error::BadResponse { stage, status: Some(200), message })
}

/// Exchanges an authorization code (RFC 6749 §4.1.3, with the PKCE verifier of RFC 7636).
#[tracing::instrument(skip_all, fields(host = cfg.token_url.host_str()), err(level = "info"))]
pub async fn authorization_code(
    cfg: &FlowConfig,
    code: &Secret,
    redirect_uri: &str,
    verifier: Option<&Secret>,
    secret: Option<&Secret>,
    log: &mut Recorder,
) -> Result<TokenResponse> {
    let mut params = vec![
        ("grant_type".to_string(), "authorization_code".to_string()),
        ("code".to_string(), code.expose().to_string()),
        ("redirect_uri".to_string(), redirect_uri.to_string()),
    ];
    if let Some(v) = verifier {
        params.push(("code_verifier".into(), v.expose().to_string()));
    }
    params.extend(cfg.token_params.iter().cloned());
    let json = post(cfg, Stage::Token, &cfg.token_url, params, cfg.body, secret, log).await?;
    token_response(&json, cfg, Stage::Token)
}

/// Uses a refresh token (RFC 6749 §6).
#[tracing::instrument(skip_all, fields(host = cfg.token_url.host_str()), err(level = "info"))]
pub async fn refresh(cfg: &FlowConfig, refresh_token: &Secret, secret: Option<&Secret>, log: &mut Recorder) -> Result<TokenResponse> {
    let params =
        vec![("grant_type".to_string(), "refresh_token".to_string()), ("refresh_token".to_string(), refresh_token.expose().to_string())];
    let json = post(cfg, Stage::Refresh, &cfg.token_url, params, cfg.body, secret, log).await?;
    token_response(&json, cfg, Stage::Refresh)
}

/// Revokes one token (RFC 7009).
#[tracing::instrument(skip_all, fields(host = url.host_str(), hint), err(level = "info"))]
pub async fn revoke(cfg: &FlowConfig, url: &Url, token: &Secret, hint: &str, secret: Option<&Secret>, log: &mut Recorder) -> Result<()> {
    let params = vec![("token".to_string(), token.expose().to_string()), ("token_type_hint".to_string(), hint.to_string())];
    post(cfg, Stage::Revoke, url, params, BodyFormat::Form, secret, log).await.map(|_| ())
}

/// Asks the introspection endpoint (RFC 7662) when the token expires.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn introspect_exp(
    cfg: &FlowConfig,
    url: &Url,
    secret: Option<&Secret>,
    token: &Secret,
    log: &mut Recorder,
) -> Result<Option<DateTime<Utc>>> {
    let params = vec![("token".to_string(), token.expose().to_string()), ("token_type_hint".to_string(), "access_token".to_string())];
    let json = post(cfg, Stage::Introspect, url, params, BodyFormat::Form, secret, log).await?;
    if json.get("active").and_then(Value::as_bool) == Some(false) {
        return Err(Error::BadResponse {
            stage: Stage::Introspect,
            status: Some(200),
            message: "the provider says the new token is not active".into(),
        });
    }
    Ok(token::claim_time(&json, "exp"))
}
