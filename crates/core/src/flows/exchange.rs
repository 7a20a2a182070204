//! Requests to the provider's OAuth endpoints (token, introspection, revocation): client
//! authentication as the profile says, form or JSON bodies, one reading of the answer
//! ([`super::response::read`]), one attempt recorded per request.
//!
//! Every grant is a [`Grant`]: its parameters are the only thing that differs between grants,
//! so a new grant type is one more variant here and nothing else in the flows.

use std::time::Instant;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::Value;
use url::Url;

use super::config::{BodyFormat, ClientAuth, FlowConfig};
use super::gate::{self, Endpoint, Outbound};
use super::http;
use super::record::Recorder;
use super::redact::Redactor;
use super::response::{self, Answer, Expect};
use super::token::{self, TokenResponse};
use super::trace::{self as tr, TraceEntry};
use crate::error::{AnswerKind, Error, Result};
use crate::model::Stage;
use crate::pki::jwt::{self, Signer};
use crate::pki::{Algorithm, KeyType};
use crate::secret::{AccessToken, AuthorizationCode, ClientSecret, DeviceCode, PkceVerifier, RefreshToken};

/// A way to ask the token endpoint for a token, with what that way needs.
#[derive(Debug, Clone)]
pub enum Grant {
    /// RFC 6749 §4.4: the client's own credentials.
    ClientCredentials,
    /// RFC 6749 §4.1.3, with the PKCE verifier of RFC 7636.
    AuthorizationCode { code: AuthorizationCode, redirect_uri: String, verifier: Option<PkceVerifier> },
    /// RFC 6749 §6.
    Refresh { refresh_token: RefreshToken },
    /// RFC 7523 §2.1: a JWT signed with the profile's key, made for each request.
    JwtBearer,
    /// RFC 8628 §3.4: a poll with the device code.
    DeviceCode { device_code: DeviceCode },
    /// RFC 6749 §4.3 (legacy): the user's name and password.
    Password { username: String, password: ClientSecret },
}

impl Grant {
    /// The stage its request is recorded as.
    pub fn stage(&self) -> Stage {
        match self {
            Grant::Refresh { .. } => Stage::Refresh,
            _ => Stage::Token,
        }
    }

    /// Whether `e` says only "not yet": a device sign-in the user has not finished
    /// (`authorization_pending`, `slow_down`, RFC 8628 §3.5).
    pub fn pending(&self, e: &Error) -> bool {
        matches!((self, e), (Grant::DeviceCode { .. }, Error::OAuth { error, .. }) if error == "authorization_pending" || error == "slow_down")
    }

    /// The token request's parameters (client authentication is added by [`post`]).
    fn params(&self, cfg: &FlowConfig) -> Vec<(String, String)> {
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        let mut params = match self {
            Grant::ClientCredentials => {
                let mut p = vec![pair("grant_type", "client_credentials")];
                if let Some(scope) = &cfg.scopes {
                    p.push(pair("scope", scope));
                }
                p
            }
            Grant::AuthorizationCode { code, redirect_uri, verifier } => {
                let mut p = vec![pair("grant_type", "authorization_code"), pair("code", code.expose()), pair("redirect_uri", redirect_uri)];
                if let Some(v) = verifier {
                    p.push(pair("code_verifier", v.expose()));
                }
                p
            }
            Grant::Refresh { refresh_token } => {
                return vec![pair("grant_type", "refresh_token"), pair("refresh_token", refresh_token.expose())];
            }
            // The assertion is signed when the request is made (see `bearer_assertion`).
            Grant::DeviceCode { device_code } => {
                return vec![pair("grant_type", DEVICE_CODE), pair("device_code", device_code.expose()), pair("client_id", &cfg.client_id)];
            }
            Grant::Password { username, password } => {
                let mut p = vec![pair("grant_type", "password"), pair("username", username), pair("password", password.expose())];
                if let Some(scope) = &cfg.scopes {
                    p.push(pair("scope", scope));
                }
                p
            }
            Grant::JwtBearer => {
                let mut p = vec![pair("grant_type", JWT_BEARER)];
                if let Some(scope) = &cfg.scopes {
                    p.push(pair("scope", scope));
                }
                p
            }
        };
        params.extend(cfg.token_params.iter().cloned());
        params
    }
}

/// `application/x-www-form-urlencoded` encoding of one value (RFC 6749 §2.3.1 for Basic).
fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";
const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The key a profile signs with, and the algorithm: the profile's, or the key's own.
fn key_signer(cfg: &FlowConfig) -> Result<Signer<'_>> {
    let key = cfg.key.as_ref().ok_or_else(|| Error::invalid("key", "the profile signs with a key and has none: generate or import one"))?;
    let alg = cfg.algorithm.unwrap_or(match key.key_type {
        KeyType::Rsa => Algorithm::Rs256,
        KeyType::P256 => Algorithm::Es256,
    });
    Ok(Signer::Key { key, alg })
}

/// The JWT of a JWT bearer grant, signed now.
pub fn bearer_assertion(cfg: &FlowConfig) -> Result<(Signer<'_>, Value)> {
    let b = cfg.bearer.as_ref().ok_or_else(|| Error::Internal("a JWT bearer grant without its claims".into()))?;
    Ok((key_signer(cfg)?, jwt::bearer_claims(&b.issuer, &b.subject, &b.audience, &b.claims, Utc::now())))
}

/// The client assertion for a request to `url` (its audience), when the profile sends one.
pub fn client_assertion<'a>(cfg: &'a FlowConfig, secret: Option<&'a ClientSecret>, url: &Url) -> Result<Option<(Signer<'a>, Value)>> {
    let signer =
        match cfg.client_auth {
            ClientAuth::PrivateKeyJwt => key_signer(cfg)?,
            ClientAuth::ClientSecretJwt => Signer::Secret(secret.ok_or_else(|| {
                Error::invalid("client_secret", "client_secret_jwt signs with the client secret, and the profile has none")
            })?),
            _ => return Ok(None),
        };
    Ok(Some((signer, jwt::client_claims(&cfg.client_id, url.as_str(), Utc::now()))))
}

/// The headers and parameters that authenticate the client to `url`, as the profile says.
/// A grant that proves the client itself (a JWT bearer grant without client authentication)
/// adds nothing.
fn authenticate(
    cfg: &FlowConfig,
    secret: Option<&ClientSecret>,
    url: &Url,
    headers: &mut Vec<(String, String)>,
    params: &mut Vec<(String, String)>,
) -> Result<()> {
    if let Some((signer, claims)) = client_assertion(cfg, secret, url)? {
        let assertion = jwt::sign(&signer, &claims)?;
        params.push(("client_id".into(), cfg.client_id.clone()));
        params.push(("client_assertion_type".into(), CLIENT_ASSERTION_TYPE.into()));
        params.push(("client_assertion".into(), assertion.expose().to_string()));
        return Ok(());
    }
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
        (ClientAuth::None, _) if cfg.template.flow.signs_grant() => {}
        // A public client, or one proven by its TLS certificate, names itself in the body.
        _ if params.iter().any(|(k, _)| k == "client_id") => {}
        _ => params.push(("client_id".into(), cfg.client_id.clone())),
    }
    Ok(())
}

fn encode(params: &[(String, String)], body: BodyFormat) -> String {
    match body {
        BodyFormat::Form => url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish(),
        BodyFormat::Json => {
            let map: serde_json::Map<String, Value> = params.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
            Value::Object(map).to_string()
        }
    }
}

/// POSTs `params` to an OAuth endpoint of kind `endpoint` with the client's authentication,
/// through the gate, and returns the JSON it answered, recording the attempt (and the trace)
/// in `log`.
#[allow(clippy::too_many_arguments)]
pub async fn post(
    cfg: &FlowConfig,
    endpoint: Endpoint,
    stage: Stage,
    url: &Url,
    mut params: Vec<(String, String)>,
    body: BodyFormat,
    secret: Option<&ClientSecret>,
    log: &mut Recorder,
) -> Result<Value> {
    // Refused before anything is signed or built when the destination is not confirmed.
    gate::check(cfg, endpoint, url, None)?;
    let mut headers: Vec<(String, String)> = vec![("accept".into(), "application/json".into())];
    authenticate(cfg, secret, url, &mut headers, &mut params)?;
    if params.iter().any(|(k, v)| k == "grant_type" && v == JWT_BEARER) {
        let (signer, claims) = bearer_assertion(cfg)?;
        params.push(("assertion".into(), jwt::sign(&signer, &claims)?.expose().to_string()));
    }
    // Whatever the server echoes of this request, none of its secrets is written anywhere.
    let mut red = Redactor::default();
    if let Some(secret) = secret {
        red.basic(&cfg.client_id, secret.expose());
    }
    for (k, v) in &params {
        if tr::sensitive_param(k) || k == "token" {
            red.value(v);
        }
    }
    let content_type = if body == BodyFormat::Json { "application/json" } else { "application/x-www-form-urlencoded" };
    headers.push(("content-type".into(), content_type.into()));
    let outbound = Outbound {
        endpoint,
        stage,
        method: reqwest::Method::POST,
        url,
        headers: &headers,
        body: Some(encode(&params, body)),
        instance: None,
    };
    let started = Instant::now();
    let mut trace = TraceEntry {
        stage,
        method: "POST".into(),
        url: url.to_string(),
        request_headers: tr::redact_headers(headers.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        request_body: Some(match body {
            // Shown unencoded so the redaction markers stay readable.
            BodyFormat::Form => tr::redact_params(&params).iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"),
            BodyFormat::Json => encode(&tr::redact_params(&params), body),
        }),
        status: None,
        response_headers: Vec::new(),
        response_body: None,
        elapsed_ms: 0,
        error: None,
    };
    let (status, result) = match gate::send(cfg, outbound).await {
        Err(e) => (None, Err(e)),
        Ok(resp) => {
            let status = resp.status().as_u16();
            trace.status = Some(status);
            trace.response_headers =
                tr::response_headers(resp.headers().iter().map(|(k, v)| (k.as_str(), v.to_str().unwrap_or("?"))), &red);
            let raw_headers: Vec<(String, Vec<u8>)> = resp.headers().iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect();
            let mut body = Vec::new();
            let read = receive(resp, stage, url, cfg, &mut trace, &red, &mut body).await;
            log.answer(|| {
                let raw = raw_headers.iter().map(|(k, v)| (k.as_str(), v.as_slice()));
                super::record::RecordedAnswer::new(stage, "POST", url, status, raw, &body)
            });
            (Some(status), read)
        }
    };
    let result = result.map_err(|e| red.error(e));
    let attempt = log.attempt(stage, started, status, result.as_ref().map(|_| true));
    tracing::info!(stage = %stage, status, elapsed_ms = attempt.elapsed_ms, ok = attempt.ok, host = url.host_str(), "oauth request");
    trace.elapsed_ms = attempt.elapsed_ms;
    trace.error = result.as_ref().err().map(|e| e.to_string());
    log.trace(|| trace);
    result
}

/// Reads the body (up to the cap) and hands the answer to [`response::read`].
async fn receive(
    resp: reqwest::Response,
    stage: Stage,
    url: &Url,
    cfg: &FlowConfig,
    trace: &mut TraceEntry,
    red: &Redactor,
    received: &mut Vec<u8>,
) -> Result<Value> {
    let status = resp.status().as_u16();
    let header = |name: reqwest::header::HeaderName| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (location, content_type) = (header(reqwest::header::LOCATION), header(reqwest::header::CONTENT_TYPE));
    let (body, truncated) = if (300..400).contains(&status) {
        (Vec::new(), false) // a redirect's body is never read
    } else {
        http::read_capped(resp, http::TOKEN_BODY_CAP).await.map_err(|e| http::transport_error(e, stage, url, cfg.timeout))?
    };
    trace.response_body = tr::body(&body, red);
    let answer = Answer { status, location: location.as_deref(), content_type: content_type.as_deref(), body: &body, truncated };
    let expect =
        Expect { stage, url, token_field: &cfg.token_field, cap: http::TOKEN_BODY_CAP, redirect_note: cfg.rules().redirect_note() };
    let read = response::read(answer, &expect);
    *received = body;
    read
}

/// Asks the token endpoint for a token with `grant`; the one token request of every grant.
#[tracing::instrument(skip_all, fields(host = cfg.token_url.host_str(), stage = %grant.stage()), err(level = "info"))]
pub async fn request_token(cfg: &FlowConfig, grant: &Grant, secret: Option<&ClientSecret>, log: &mut Recorder) -> Result<TokenResponse> {
    let stage = grant.stage();
    let json = post(cfg, Endpoint::Token, stage, &cfg.token_url, grant.params(cfg), cfg.body, secret, log).await?;
    token::parse(&json, &cfg.token_field).map_err(|message| Error::BadResponse {
        stage,
        status: Some(200),
        kind: AnswerKind::Unusable,
        message,
    })
}

/// A token to revoke, with the hint RFC 7009 asks for.
#[derive(Debug, Clone, Copy)]
pub enum Revocable<'a> {
    Refresh(&'a RefreshToken),
    Access(&'a AccessToken),
}

impl Revocable<'_> {
    pub fn hint(&self) -> &'static str {
        match self {
            Revocable::Refresh(_) => "refresh_token",
            Revocable::Access(_) => "access_token",
        }
    }

    fn expose(&self) -> &str {
        match self {
            Revocable::Refresh(t) => t.expose(),
            Revocable::Access(t) => t.expose(),
        }
    }
}

/// Revokes one token (RFC 7009).
#[tracing::instrument(skip_all, fields(host = url.host_str(), hint = token.hint()), err(level = "info"))]
pub async fn revoke(cfg: &FlowConfig, url: &Url, token: Revocable<'_>, secret: Option<&ClientSecret>, log: &mut Recorder) -> Result<()> {
    let params = vec![("token".to_string(), token.expose().to_string()), ("token_type_hint".to_string(), token.hint().to_string())];
    post(cfg, Endpoint::Revocation, Stage::Revoke, url, params, BodyFormat::Form, secret, log).await.map(|_| ())
}

/// Asks the introspection endpoint (RFC 7662) when the token expires.
#[tracing::instrument(skip_all, err(level = "info"))]
pub async fn introspect_exp(
    cfg: &FlowConfig,
    url: &Url,
    secret: Option<&ClientSecret>,
    token: &AccessToken,
    log: &mut Recorder,
) -> Result<Option<DateTime<Utc>>> {
    let params = vec![("token".to_string(), token.expose().to_string()), ("token_type_hint".to_string(), "access_token".to_string())];
    let json = post(cfg, Endpoint::Introspection, Stage::Introspect, url, params, BodyFormat::Form, secret, log).await?;
    if json.get("active").and_then(Value::as_bool) == Some(false) {
        return Err(Error::BadResponse {
            stage: Stage::Introspect,
            status: Some(200),
            kind: AnswerKind::Unusable,
            message: "the provider says the new token is not active".into(),
        });
    }
    Ok(token::claim_time(&json, "exp"))
}

#[cfg(test)]
#[path = "exchange_tests.rs"]
mod tests;
