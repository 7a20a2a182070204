//! The authorization request of the authorization-code flow for native apps (RFC 8252):
//! the URL the browser opens, with a fresh `state` and, when on, a PKCE S256 challenge
//! (RFC 7636). oauth2 makes the state and the PKCE pair. And the probe a diagnosis makes:
//! the same URL opened without signing in, to read what the provider shows first.

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};
use url::Url;

use super::config::FlowConfig;
use crate::error::{Error, Result};
use crate::model::Stage;
use crate::secret::PkceVerifier;

/// The authorization URL with a fresh `state` and, when on, a PKCE verifier.
pub struct AuthorizationRequest {
    pub url: Url,
    pub state: CsrfToken,
    pub verifier: Option<PkceVerifier>,
}

/// Builds the authorization URL for `redirect_uri`.
pub fn request(cfg: &FlowConfig, redirect_uri: &str) -> Result<AuthorizationRequest> {
    let authorize_url =
        cfg.authorize_url.clone().ok_or_else(|| Error::invalid("authorize_url", "is required for the authorization-code flow"))?;
    let client = BasicClient::new(ClientId::new(cfg.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(authorize_url))
        .set_redirect_uri(RedirectUrl::new(redirect_uri.to_string()).map_err(|e| Error::invalid("redirect_path", e.to_string()))?);
    let mut req = client.authorize_url(CsrfToken::new_random);
    for scope in cfg.scopes.iter().flat_map(|s| s.split_whitespace()) {
        req = req.add_scope(Scope::new(scope.to_string()));
    }
    let verifier = if cfg.pkce {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        req = req.set_pkce_challenge(challenge);
        Some(PkceVerifier::new(verifier.secret().clone()))
    } else {
        None
    };
    let (url, state) = req.url();
    Ok(AuthorizationRequest { url, state, verifier })
}

/// What the authorization endpoint showed to a browser that has not signed in.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The last page's URL.
    pub url: Url,
    pub status: u16,
    pub content_type: Option<String>,
    /// The last answer's headers (redacted), which may say which provider answered.
    pub headers: Vec<(String, String)>,
    /// The last page (capped), or empty for a redirect.
    pub body: String,
    /// Where the last answer redirected to, when it redirected back to the app or to a page
    /// that carries an error in its URL.
    pub location: Option<Url>,
    #[cfg_attr(not(any(test, feature = "test-support")), allow(dead_code, reason = "read by the tests"))]
    pub redirect_uri: Url,
}

/// At most this much of a page is read.
const PAGE_CAP: usize = 512 * 1024;

/// Whether a URL says something went wrong: an `error` parameter, or Google's `authError`.
fn carries_error(url: &Url) -> bool {
    url.query_pairs().any(|(k, _)| k == "error" || k == "authError")
}

/// Opens the authorization URL as a browser would before anyone signs in: no cookie, no
/// secret, the profile's redirect URI. A redirect is not followed: one back to the app, or
/// to a page whose URL carries an error, is the provider's verdict; any other leads to its
/// sign-in, which needs the cookies a browser keeps along the way.
pub async fn probe(cfg: &FlowConfig, redirect_uri: &str, log: &mut super::record::Recorder) -> Result<Probe> {
    let req = request(cfg, redirect_uri)?;
    let back = Url::parse(redirect_uri).map_err(|e| Error::invalid("redirect_path", e.to_string()))?;
    let url = req.url;
    let started = std::time::Instant::now();
    // As a browser before anyone signs in: no credential, and no TLS identity either.
    let resp = super::http::fetch(Some(cfg), cfg.timeout, &url, None, Stage::Authorize).await?;
    let status = resp.status().as_u16();
    let header = |name: reqwest::header::HeaderName| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (location, content_type) = (header(reqwest::header::LOCATION), header(reqwest::header::CONTENT_TYPE));
    let red = super::redact::Redactor::default();
    let raw_headers: Vec<(String, Vec<u8>)> = resp.headers().iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect();
    let headers = super::trace::response_headers(resp.headers().iter().map(|(k, v)| (k.as_str(), v.to_str().unwrap_or("?"))), &red);
    let next = location.as_deref().and_then(|l| url.join(l).ok()).filter(|_| (300..400).contains(&status));
    let body = match next {
        Some(_) => Vec::new(),
        None => super::http::read_capped(resp, PAGE_CAP).await.map(|(b, _)| b).unwrap_or_default(),
    };
    let kept = headers.clone();
    log.answer(|| {
        let raw = raw_headers.iter().map(|(k, v)| (k.as_str(), v.as_slice()));
        super::record::RecordedAnswer::new(Stage::Authorize, "GET", &url, status, raw, &body)
    });
    log.trace(|| super::trace::TraceEntry {
        stage: Stage::Authorize,
        method: "GET".into(),
        url: url.to_string(),
        request_headers: Vec::new(),
        request_body: None,
        status: Some(status),
        response_headers: headers,
        response_body: super::trace::body(&body, &red),
        elapsed_ms: started.elapsed().as_millis() as u64,
        error: None,
    });
    let back_to_app = |to: &Url| to.origin() == back.origin() && to.path() == back.path();
    Ok(Probe {
        url,
        status,
        content_type,
        headers: kept,
        body: String::from_utf8_lossy(&body).into_owned(),
        location: next.filter(|to| back_to_app(to) || carries_error(to)),
        redirect_uri: back,
    })
}
