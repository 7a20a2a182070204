//! The test ("me") call: the configured API URL called with the token, to prove the token
//! works. The token goes only to allowed hosts; redirects are followed only within them.

use std::time::Instant;

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;
use url::Url;

use super::config::{host_allowed, FlowConfig};
use super::exchange::{Attempt, Recorder};
use super::http;
use super::trace::{self as tr, TraceEntry};
use crate::error::{Error, Result, Stage};
use crate::secret::Secret;

/// What the test call answered.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TestResult {
    /// A 2xx status.
    pub ok: bool,
    pub url: String,
    pub method: String,
    pub status: u16,
    pub elapsed_ms: u64,
    pub headers: Vec<(String, String)>,
    /// Pretty-printed when it is JSON; cut at 256 KiB.
    pub body: String,
    pub truncated: bool,
}

const MAX_REDIRECTS: usize = 5;

fn check_host(url: &Url, allowed: &[String]) -> Result<()> {
    let host = url.host_str().unwrap_or_default();
    if host_allowed(host, allowed) {
        Ok(())
    } else {
        Err(Error::HostNotAllowed { stage: Stage::Test, host: host.to_string(), allowed: allowed.join(", ") })
    }
}

/// Calls `url` with the token; `allowed` is the whitelist of hosts that may receive it.
#[tracing::instrument(skip_all, fields(host = url.host_str()), err(level = "info"))]
pub async fn call(cfg: &FlowConfig, token: &Secret, mut url: Url, allowed: &[String], log: &mut Recorder) -> Result<TestResult> {
    if !cfg.default_params.is_empty() {
        url.query_pairs_mut().extend_pairs(&cfg.default_params);
    }
    let method = reqwest::Method::from_bytes(cfg.test_method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let started = Instant::now();
    let mut hops = 0;
    let result = loop {
        check_host(&url, allowed)?;
        let sent = http::client(cfg.timeout, &url)?
            .request(method.clone(), url.clone())
            .bearer_auth(token.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await;
        let mut entry = TraceEntry {
            stage: Stage::Test,
            method: method.to_string(),
            url: url.to_string(),
            request_headers: tr::redact_headers(
                [("authorization", format!("Bearer {}", token.expose()).as_str()), ("accept", "application/json")].into_iter(),
            ),
            request_body: None,
            status: None,
            response_headers: Vec::new(),
            response_body: None,
            elapsed_ms: started.elapsed().as_millis() as u64,
            error: None,
        };
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let err = http::transport_error(e, Stage::Test, &url, cfg.timeout);
                entry.error = Some(err.to_string());
                log.trace(|| entry);
                break Err(err);
            }
        };
        entry.status = Some(resp.status().as_u16());
        entry.response_headers = tr::redact_headers(resp.headers().iter().map(|(k, v)| (k.as_str(), v.to_str().unwrap_or("?"))));
        if resp.status().is_redirection() && hops < MAX_REDIRECTS {
            if let Some(next) = resp.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok()).and_then(|l| url.join(l).ok()) {
                log.trace(|| entry);
                hops += 1;
                url = next;
                continue;
            }
        }
        let result = read(resp, &url, method.as_str(), started, cfg).await;
        if let Ok(r) = &result {
            entry.response_body = tr::body(r.body.as_bytes());
        }
        entry.elapsed_ms = started.elapsed().as_millis() as u64;
        log.trace(|| entry);
        break result;
    };
    log.push(Attempt {
        at: chrono::Utc::now(),
        stage: Stage::Test,
        ok: matches!(&result, Ok(r) if r.ok),
        status: result.as_ref().ok().map(|r| r.status),
        elapsed_ms: started.elapsed().as_millis() as u64,
        error: result.as_ref().err().map(|e| e.code().to_string()),
        error_description: result.as_ref().err().map(|e| e.to_string()),
    });
    result
}

async fn read(resp: reqwest::Response, url: &Url, method: &str, started: Instant, cfg: &FlowConfig) -> Result<TestResult> {
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .filter(|(k, _)| *k != reqwest::header::SET_COOKIE)
        .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let (body, truncated) =
        http::read_capped(resp, http::TEST_BODY_CAP).await.map_err(|e| http::transport_error(e, Stage::Test, url, cfg.timeout))?;
    let body = match serde_json::from_slice::<Value>(&body) {
        Ok(json) if !truncated => serde_json::to_string_pretty(&json).unwrap_or_default(),
        _ => String::from_utf8_lossy(&body).into_owned(),
    };
    Ok(TestResult {
        ok: (200..300).contains(&status),
        url: url.to_string(),
        method: method.to_string(),
        status,
        elapsed_ms: started.elapsed().as_millis() as u64,
        headers,
        body,
        truncated,
    })
}

/// Salesforce's default test: the newest API version's `limits`, found through
/// `{instance_url}/services/data/`.
pub async fn salesforce_default(
    cfg: &FlowConfig,
    token: &Secret,
    instance: &Url,
    allowed: &[String],
    log: &mut Recorder,
) -> Result<TestResult> {
    let versions_url = instance.join("/services/data/").map_err(|e| Error::invalid("instance_url", e.to_string()))?;
    let versions = call(cfg, token, versions_url, allowed, log).await?;
    if !versions.ok {
        return Ok(versions);
    }
    let newest = serde_json::from_str::<Value>(&versions.body)
        .ok()
        .and_then(|v| v.as_array().and_then(|a| a.last()).and_then(|l| l.get("url")).and_then(Value::as_str).map(str::to_string));
    match newest.and_then(|path| instance.join(&format!("{}/limits", path.trim_end_matches('/'))).ok()) {
        Some(limits) => call(cfg, token, limits, allowed, log).await,
        None => Ok(versions),
    }
}
