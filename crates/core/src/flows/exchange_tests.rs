//! Each grant's parameters and the client authentication as sent.

use super::*;
use crate::model::Fields;
use crate::template;

fn cfg() -> FlowConfig {
    let fields: Fields = [("token_url", "https://a.example.com/t"), ("client_id", "c"), ("scopes", "api"), ("audience", "https://api")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let t = template::find(template::CLIENT_CREDENTIALS).unwrap_or_else(|_| unreachable!());
    FlowConfig::new(t, &fields).unwrap_or_else(|e| panic!("{e}"))
}

fn keys(p: &[(String, String)]) -> Vec<&str> {
    p.iter().map(|(k, _)| k.as_str()).collect()
}

#[test]
fn each_grant_sends_its_own_parameters() {
    let c = cfg();
    assert_eq!(keys(&Grant::ClientCredentials.params(&c)), ["grant_type", "scope", "audience"]);
    let code = Grant::AuthorizationCode {
        code: AuthorizationCode::new("the-code"),
        redirect_uri: "http://127.0.0.1:1/cb".into(),
        verifier: Some(PkceVerifier::new("v")),
    };
    assert_eq!(keys(&code.params(&c)), ["grant_type", "code", "redirect_uri", "code_verifier", "audience"]);
    let refresh = Grant::Refresh { refresh_token: RefreshToken::new("r") };
    assert_eq!(refresh.params(&c), [("grant_type".into(), "refresh_token".into()), ("refresh_token".into(), "r".into())]);
    assert_eq!(refresh.stage(), Stage::Refresh);
}

#[test]
fn basic_authentication_form_encodes_id_and_secret() {
    let c = cfg();
    let (mut headers, mut params) = (Vec::new(), Vec::new());
    let url = c.token_url.clone();
    authenticate(&c, Some(&ClientSecret::new("a b:c")), &url, &mut headers, &mut params).unwrap_or_else(|e| panic!("{e}"));
    let expected = base64::engine::general_purpose::STANDARD.encode("c:a+b%3Ac");
    assert_eq!(headers, [("authorization".to_string(), format!("Basic {expected}"))]);
    assert!(params.is_empty());
    authenticate(&c, None, &url, &mut headers, &mut params).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(params, [("client_id".to_string(), "c".to_string())]);
}
