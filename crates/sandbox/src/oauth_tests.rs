//! The endpoints as pure functions: each request a client could send, and the answer.

use super::*;
use crate::provider::{Provider, SERVICE_CLIENT, WEB_CLIENT};

fn provider() -> Provider {
    Provider::new("http://127.0.0.1:9".into(), 3600)
}

fn secret(p: &Provider, id: &str) -> String {
    p.client(id).unwrap().client_secret.clone()
}

fn post(path: &str, form: &[(&str, &str)]) -> Req {
    Req {
        method: "POST".into(),
        path: path.into(),
        form: form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..Req::default()
    }
}

fn get(path: &str, query: &[(&str, &str)]) -> Req {
    Req {
        method: "GET".into(),
        path: path.into(),
        query: query.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..Req::default()
    }
}

fn body(r: &Reply) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap()
}

fn cc(p: &Provider, secret: &str) -> Reply {
    p.handle(&post("/oauth2/token", &[("grant_type", "client_credentials"), ("client_id", SERVICE_CLIENT), ("client_secret", secret)]))
}

#[test]
fn client_credentials_give_a_token_the_test_call_accepts_until_revoked() {
    let p = provider();
    let r = cc(&p, &secret(&p, SERVICE_CLIENT));
    assert_eq!(r.status, 200, "{}", r.body);
    let token = body(&r)["access_token"].as_str().unwrap().to_string();
    assert_eq!(body(&r)["scope"], "api");
    assert_eq!(token.split('.').count(), 3, "a JWT");
    let me = |t: &str| {
        let mut req = get("/me", &[]);
        req.headers.push(("authorization".into(), format!("Bearer {t}")));
        p.handle(&req)
    };
    assert_eq!(me(&token).status, 200);
    assert_eq!(body(&me(&token))["sub"], SERVICE_CLIENT);
    let s = secret(&p, SERVICE_CLIENT);
    let intro = p.handle(&post("/oauth2/introspect", &[("token", &token), ("client_id", SERVICE_CLIENT), ("client_secret", &s)]));
    assert_eq!(body(&intro)["active"], true);
    let revoked = p.handle(&post("/oauth2/revoke", &[("token", &token), ("client_id", SERVICE_CLIENT), ("client_secret", &s)]));
    assert_eq!(revoked.status, 200);
    assert_eq!(me(&token).status, 401);
    assert!(me(&token).headers.iter().any(|(k, v)| k == "www-authenticate" && v.contains("invalid_token")));
}

#[test]
fn wrong_clients_grants_and_scopes_get_rfc_6749_errors() {
    let p = provider();
    let r = cc(&p, "wrong");
    assert_eq!((r.status, body(&r)["error"].as_str()), (401, Some("invalid_client")));
    let s = secret(&p, WEB_CLIENT);
    let r = p.handle(&post("/oauth2/token", &[("grant_type", "client_credentials"), ("client_id", WEB_CLIENT), ("client_secret", &s)]));
    assert_eq!(body(&r)["error"], "unauthorized_client");
    let s = secret(&p, SERVICE_CLIENT);
    let r = p.handle(&post("/oauth2/token", &[("grant_type", "password"), ("client_id", SERVICE_CLIENT), ("client_secret", &s)]));
    assert_eq!(body(&r)["error"], "unsupported_grant_type");
    let r = p.handle(&post(
        "/oauth2/token",
        &[("grant_type", "client_credentials"), ("client_id", SERVICE_CLIENT), ("client_secret", &s), ("scope", "api admin")],
    ));
    assert_eq!(body(&r)["error"], "invalid_scope");
}

fn location(r: &Reply) -> url::Url {
    url::Url::parse(&r.headers.iter().find(|(k, _)| k == "location").unwrap().1).unwrap()
}

fn param(u: &url::Url, name: &str) -> Option<String> {
    u.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

#[test]
fn a_sign_in_with_pkce_gives_tokens_an_id_token_and_a_rotating_refresh_token() {
    let p = provider();
    let verifier = "a-verifier-of-forty-three-characters-at-least-0123";
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let redirect = "http://127.0.0.1:5555/callback";
    let auth = |challenge: &str| {
        p.handle(&get(
            "/oauth2/authorize",
            &[
                ("response_type", "code"),
                ("client_id", WEB_CLIENT),
                ("redirect_uri", redirect),
                ("scope", "openid api offline_access"),
                ("state", "s1"),
                ("nonce", "n1"),
                ("code_challenge", challenge),
                ("code_challenge_method", "S256"),
            ],
        ))
    };
    let back = location(&auth(&challenge));
    assert!(back.as_str().starts_with(redirect));
    assert_eq!(param(&back, "state").as_deref(), Some("s1"));
    let code = param(&back, "code").unwrap();
    let s = secret(&p, WEB_CLIENT);
    let exchange = |code: &str, verifier: &str| {
        p.handle(&post(
            "/oauth2/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect),
                ("code_verifier", verifier),
                ("client_id", WEB_CLIENT),
                ("client_secret", &s),
            ],
        ))
    };
    // A wrong verifier uses the code up, as a stolen code should be.
    let other = location(&auth(&challenge));
    assert_eq!(body(&exchange(&param(&other, "code").unwrap(), "wrong-verifier"))["error"], "invalid_grant");
    let r = exchange(&code, verifier);
    assert_eq!(r.status, 200, "{}", r.body);
    let tokens = body(&r);
    assert!(tokens["id_token"].as_str().is_some_and(|t| t.split('.').count() == 3));
    assert_eq!(body(&exchange(&code, verifier))["error"], "invalid_grant", "a code is good once");
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let renew = |t: &str| {
        p.handle(&post(
            "/oauth2/token",
            &[("grant_type", "refresh_token"), ("refresh_token", t), ("client_id", WEB_CLIENT), ("client_secret", &s)],
        ))
    };
    let renewed = renew(refresh);
    assert_eq!(renewed.status, 200);
    assert_ne!(body(&renewed)["refresh_token"], tokens["refresh_token"], "rotated");
    assert_eq!(body(&renew(refresh))["error"], "invalid_grant", "the old one is spent");
}

#[test]
fn the_authorization_page_sends_browsers_only_to_loopback_and_asks_for_pkce() {
    let p = provider();
    let page = p.handle(&get(
        "/oauth2/authorize",
        &[("response_type", "code"), ("client_id", WEB_CLIENT), ("redirect_uri", "https://evil.example/cb")],
    ));
    assert_eq!(page.status, 400);
    assert!(!page.headers.iter().any(|(k, _)| k == "location"));
    let r = p.handle(&get(
        "/oauth2/authorize",
        &[("response_type", "code"), ("client_id", WEB_CLIENT), ("redirect_uri", "http://127.0.0.1:1/cb")],
    ));
    assert_eq!(param(&location(&r), "error_description").as_deref(), Some("code challenge required"));
    assert!(
        loopback("http://localhost:8/x")
            && loopback("http://[::1]:8/")
            && !loopback("http://127.0.0.1.evil.example/")
            && !loopback("https://127.0.0.1/")
    );
}

#[test]
fn a_failure_mode_answers_with_the_providers_documented_answer_on_its_face_only() {
    let p = provider();
    p.set_mode(Some("salesforce-no-run-as-user")).unwrap();
    let s = secret(&p, SERVICE_CLIENT);
    let sf = p.handle(&post(
        "/services/oauth2/token",
        &[("grant_type", "client_credentials"), ("client_id", SERVICE_CLIENT), ("client_secret", &s)],
    ));
    let entry = oauthdesk_core::knowledge_entry("salesforce-no-run-as-user").unwrap();
    assert_eq!((sf.status, sf.body.as_str()), (entry.example.status, entry.example.body.as_str()));
    assert_eq!(cc(&p, &s).status, 200, "the generic face is healthy");
    // An authorization-page mode redirects with the entry's error, to the loopback address only.
    p.set_mode(Some("rfc6749-access-denied")).unwrap();
    let r = p.handle(&get("/oauth2/authorize", &[("client_id", WEB_CLIENT), ("redirect_uri", "http://127.0.0.1:7/cb"), ("state", "xyz")]));
    let back = location(&r);
    assert!(back.as_str().starts_with("http://127.0.0.1:7/cb"));
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    let evil = p.handle(&get("/oauth2/authorize", &[("client_id", WEB_CLIENT), ("redirect_uri", "https://evil.example/")]));
    assert_eq!(evil.status, 400);
}
