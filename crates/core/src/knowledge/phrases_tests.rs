//! The phrase reading as the knowledge base is tested: the file is complete, every class reads
//! its own documented examples as its own and no other, and providers' documented phrasings
//! are read as their class in every answer shape and wording around them.

use serde_json::json;

use super::*;
use crate::knowledge::answer;

#[test]
fn the_file_parses_and_every_class_is_complete() {
    assert!(broken().is_none(), "{:?}", broken());
    assert!(classes().len() >= 20, "{} classes", classes().len());
    let mut ids: Vec<&str> = classes().iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "class ids are unique");
    for c in classes() {
        assert!(crate::knowledge::entry(&c.id).is_none(), "{}: no entry shares its id", c.id);
        assert!(!c.phrases.is_empty() && c.phrases.iter().all(|p| !p.trim().is_empty() && *p == p.to_lowercase()), "{}: phrases", c.id);
        assert!(c.cause.contains("{words}"), "{}: its cause quotes the words read", c.id);
        assert!(!c.fix.is_empty() && c.fix.iter().all(|f| !f.trim().is_empty()), "{}: says how to fix it", c.id);
        assert!(c.source.starts_with("https://"), "{}: cites its source", c.id);
        assert!(c.examples.len() >= 2, "{}: has examples", c.id);
        let text = format!("{} {}", c.cause, c.fix.join(" "));
        assert!(!text.contains('`') && !text.contains(" --"), "{}: no command-line syntax", c.id);
        for code in &c.same_as {
            let generic = crate::knowledge::entries().iter().any(|e| e.provider.is_none() && e.error.as_deref() == Some(code.as_str()));
            assert!(generic, "{}: {code} is a generic entry's code", c.id);
        }
        assert_eq!(crate::knowledge::learn_more(&c.id), Some(c.source.as_str()), "{}: Learn more opens its source", c.id);
    }
}

#[test]
fn every_example_is_read_as_its_own_class_and_no_other() {
    let mut wrong = Vec::new();
    for c in classes() {
        for ex in &c.examples {
            let own = specificity(c, ex);
            match class_of(ex) {
                Some(found) if found.id == c.id => {}
                found => wrong.push(format!("{}: {ex:?} read as {:?}", c.id, found.map(|f| &f.id))),
            }
            // No other class names it as specifically: the reading must not hang on file order.
            if let Some(tie) = classes().iter().find(|o| o.id != c.id && own.is_some() && specificity(o, ex) == own) {
                wrong.push(format!("{}: {ex:?} is read as well as {}", c.id, tie.id));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Providers' documented phrasings, by the class they name.
pub(crate) const DOCUMENTED: &[(&str, &[&str])] = &[
    ("phrase-wrong-secret", &[
        "Invalid OAuth client credentials",
        "Client credentials are invalid",
        "Expired API Key provided: sk_live_****1234",
        "API Key Invalid",
        "Invalid ApiKey",
        "No API key found in request",
        "invalid client secret",
        "Invalid client or Invalid client credentials",
        "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID",
        "The client secret supplied for a confidential client is invalid.",
        "Client authentication failed",
        "Bad credentials",
        "client_secret does not match",
        "The client_secret is incorrect",
    ]),
    ("phrase-unknown-client", &[
        "invalid client",
        "Client ID and OAuth token do not match",
        "Application client_id invalid",
        "Unknown client.",
        "The OAuth client was not found.",
        "Client not found",
        "AADSTS700016: Application with identifier 'x' was not found in the directory 'y'.",
        "Invalid client_id parameter value.",
        "The client_id does not exist",
    ]),
    ("phrase-wrong-key", &[
        "Client assertion contains an invalid signature.",
        "The client_assertion signature is invalid.",
        "JWT signature does not match locally computed signature",
        "Signature verification failed",
        "invalid_grant: invalid signature",
    ]),
    ("phrase-unsupported-algorithm", &[
        "Invalid signature algorithm",
        "The client_assertion token has an unsupported alg.",
        "Algorithm HS256 is not supported for client assertions",
        "Unsupported algorithm: HS512",
        "The signing algorithm RS384 is not allowed",
    ]),
    ("phrase-unknown-key-id", &[
        "Unable to find a signing key that matches 'kid'",
        "kid not found in JWKS",
        "No matching key found for the token's kid",
        "Key with kid 'k1' not found",
    ]),
    ("phrase-certificate", &[
        "The certificate with identifier used to sign the client assertion is not registered on application.",
        "Client certificate has expired",
        "certificate is not trusted",
        "No client certificate presented",
        "The client certificate was revoked",
    ]),
    ("phrase-assertion-claims", &[
        "The audience claim for the client_assertion token is invalid.",
        "Invalid issuer in JWT assertion",
        "The 'aud' claim is not valid: expected the token URL",
        "invalid assertion",
        "The sub claim does not match the client id",
    ]),
    ("phrase-assertion-lifetime", &[
        "The client_assertion token has an expiration too far into the future.",
        "The JWT assertion has expired",
        "The exp claim is too far in the future",
        "The jti has already been used. Replay detected",
        "The client_assertion token lifetime is too long",
    ]),
    ("phrase-grant-not-allowed", &[
        "Grant type 'client_credentials' not allowed for the client.",
        "The client is not authorized to use the provided grant type. Configured grant types: [authorization_code].",
        "grant type must be account_credentials",
        "client_credentials flow is not enabled for this app",
        "The grant type is not supported by the authorization server",
    ]),
    ("phrase-scope", &[
        "unauthorized permission requested",
        "Insufficient client scope",
        "Scope and URL mismatch",
        "invalid oauth scope to access this URL",
        "OAUTH_SCOPE_MISMATCH",
        "The access token does not allow you to access the requested resource. Scope validation failed.",
        "Missing Permissions",
        "You lack permissions to perform that action",
        "Your credentials lack one or more required privilege scopes.",
        "Given the bearer token used, the client doesn't have permission to perform this operation.",
        "The provided key 'rk_test_abcd' does not have the required permissions for this endpoint on account 'acct_1234'.",
        "Not enough permissions to perform this operation",
        "AccessToken activity:read_permission missing",
        "Missing required permissions: boards:read",
        "The requested scope is invalid, unknown, or malformed.",
        "Insufficient privileges to complete the operation.",
        "missing_scope",
        "Request had insufficient authentication scopes.",
        "The app does not have the required permission",
        "Scope 'admin' is not allowed for this client",
    ]),
    ("phrase-audience-resource", &[
        "No audience parameter was provided, and no default audience has been configured",
        "AADSTS500011: The resource principal named https://api.example.com was not found in the tenant named contoso.",
        "Invalid audience",
        "invalid_target",
        "The token was issued for another audience",
        "Audience mismatch",
    ]),
    ("phrase-redirect-mismatch", &[
        "bad_redirect_uri",
        "redirect_uri_mismatch",
        "The redirect URI 'x' specified in the request does not match the redirect URIs configured for the application.",
        "Callback URL mismatch.",
        "Invalid redirect_uri",
        "redirect_uri is not registered for this client",
    ]),
    ("phrase-consent", &[
        "Team not authorized",
        "AADSTS65001: The user or administrator has not consented to use the application",
        "This app requires admin approval",
        "Need admin approval",
        "consent_required",
        "The app has not been approved by an administrator",
    ]),
    ("phrase-account-state", &[
        "AADSTS50034: The user account {EUII Hidden} does not exist in the contoso.onmicrosoft.com directory.",
        "account_inactive",
        "This account has been disabled.",
        "User is not assigned to the client application.",
        "The user account is disabled.",
        "user is frozen",
        "Account is locked",
        "The user's password has expired.",
        "Invalid username or password",
        "authentication failure",
    ]),
    ("phrase-token-state", &[
        "invalid_code",
        "Athlete access_token invalid",
        "Oauth token not found",
        "Token invalid",
        "Token has been expired or revoked.",
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code.",
        "Refresh token reuse detected",
        "expired access/refresh token",
        "The refresh token is invalid or expired",
        "invalid_token: token is no longer valid",
    ]),
    ("phrase-clock", &[
        "Client assertion is not within its valid time range.",
        "Token used before issued (iat is in the future)",
        "JWT not yet valid: check clock skew",
        "The timestamp is outside the allowed window",
    ]),
    ("phrase-network-policy", &[
        "ip restricted or invalid login hours",
        "Access has been blocked by Conditional Access policies.",
        "Request from IP 203.0.113.9 not allowed",
        "The IP address is not in the allowlist",
    ]),
    ("phrase-rate-limit", &[
        "Rate limit exceeded",
        "Too many requests",
        "ratelimited",
        "You have been throttled",
        "API quota exceeded",
    ]),
    ("phrase-app-state", &[
        "External client app is not installed in this org",
        "Application 'x' is disabled.",
        "app_uninstalled",
        "This app has been suspended",
        "The client is disabled",
    ]),
    ("phrase-pkce", &[
        "PKCE verification failed",
        "Invalid code_verifier",
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        "Missing parameter: code_verifier",
    ]),
    ("phrase-wrong-endpoint", &[
        "Tenant 'contoso.example' not found.",
        "Realm does not exist",
        "Cannot POST /oauth/tokens",
        "No route matched with those values",
        "Method Not Allowed",
    ]),
];

/// The answers `words` may come in, as providers shape them, each with words around them.
fn shapes(words: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    for w in [words.to_string(), words.to_uppercase(), format!("Request failed: {words} (trace 3f2a)"), format!("\"{words}\".")] {
        let bodies = [
            json!({ "error": "acme_refused", "error_description": w }),
            json!({ "error": "invalid_request", "error_description": w }),
            json!({ "message": w, "code": 40113 }),
            json!({ "detail": w, "status": 400, "title": "Bad Request" }),
            json!({ "error": { "code": "Refused", "message": w } }),
            json!({ "errorCode": "E0000999", "errorSummary": w }),
            json!([{ "errorCode": "REFUSED", "message": w }]),
        ];
        out.extend(bodies.iter().filter_map(answer::from_json));
        out.push(Problem::oauth("acme_refused", Some(&w)));
    }
    out
}

#[test]
fn documented_phrasings_are_read_as_their_class_in_every_shape() {
    let mut wrong = Vec::new();
    let mut count = 0;
    for (id, texts) in DOCUMENTED {
        assert!(class(id).is_some(), "{id} is a class");
        for text in *texts {
            for p in shapes(text) {
                count += 1;
                let got = read(&p).map(|r| r.class.id.as_str());
                if got != Some(id) {
                    wrong.push(format!("{id}: {p:?} read as {got:?}"));
                }
            }
        }
    }
    assert!(classes().iter().all(|c| DOCUMENTED.iter().any(|(id, _)| *id == c.id)), "every class has documented phrasings");
    assert!(wrong.is_empty(), "{} of {count}:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn the_cause_quotes_the_words_read() {
    for (id, texts) in DOCUMENTED {
        for text in *texts {
            let r = read(&Problem::oauth("acme_refused", Some(text)));
            assert!(r.as_ref().is_some_and(|r| r.cause.contains(&quote(text))), "{id}: {r:?}");
        }
    }
}

#[test]
fn a_providers_own_code_with_no_words_is_read_by_its_text() {
    let p = Problem::oauth("INVALID_CLIENT_SECRET", None);
    assert_eq!(read(&p).map(|r| r.class.id.as_str()), Some("phrase-wrong-secret"));
    // A standard code is the generic entries' to explain, and words that name nothing are not read.
    assert!(read(&Problem::oauth("invalid_grant", None)).is_none());
    assert!(read(&Problem::oauth("acme_refused", Some("Something went wrong"))).is_none());
}

#[test]
fn phrases_match_whole_words_only() {
    assert!(class_of("the secretary said the clientele was fine").is_none());
    assert_eq!(class_of("Grant type 'x' not allowed").map(|c| c.id.as_str()), Some("phrase-grant-not-allowed"));
    // Parts of a phrase are read in order.
    assert!(class("phrase-grant-not-allowed").is_some_and(|c| specificity(c, "not allowed grant type").is_none()));
}
