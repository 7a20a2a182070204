//! The authorization request of the authorization-code flow for native apps (RFC 8252):
//! the URL the browser opens, with a fresh `state` and, when on, a PKCE S256 challenge
//! (RFC 7636). oauth2 makes the state and the PKCE pair.

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};
use url::Url;

use super::config::FlowConfig;
use crate::error::{Error, Result};
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
