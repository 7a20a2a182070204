//! No panic on any input: property tests over everything that reads bytes or numbers from
//! outside — the token-response parser, the reading of an endpoint's answer, the redirect's
//! query, the import format, the knowledge-base matcher, the redaction of echoed text, and
//! the time arithmetic on a server's numbers. (`make fuzz` runs the same readers under
//! libFuzzer for longer.)
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use oauthdesk_core::desk::tokens::margin_secs;
use oauthdesk_core::diagnose::paste;
use oauthdesk_core::flows::expiry::from_expires_in;
use oauthdesk_core::flows::listener::read_redirect;
use oauthdesk_core::flows::redact::{keyed, Redactor};
use oauthdesk_core::flows::response::{read, Answer, Expect};
use oauthdesk_core::flows::token;
use oauthdesk_core::knowledge::{self, answer, Problem, Query};
use oauthdesk_core::{ExportFile, Stage};
use proptest::prelude::*;
use serde_json::Value;

/// Any JSON value, a few levels deep, with the keys token responses use among others.
fn json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("access_token".to_string()),
        Just("expires_in".to_string()),
        Just("issued_at".to_string()),
        Just("refresh_token".to_string()),
        Just("token_type".to_string()),
        Just("error".to_string()),
        Just("data".to_string()),
        "[a-z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        ".{0,40}".prop_map(Value::String),
        Just(Value::from(1e300)),
        Just(Value::String("99999999999999999999999".into())),
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// The text with every redaction marker taken out (a marker may end with a value's last
/// four characters, which may spell a short secret).
fn without_markers(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("[redacted:") {
        out.push_str(&rest[..i]);
        rest = rest[i..].find(']').map(|j| &rest[i + j + 1..]).unwrap_or("");
    }
    out.push_str(rest);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn token_responses(v in json(), field in prop_oneof![Just("access_token"), Just("data.accessToken"), Just("a..b")]) {
        let now = chrono::Utc::now();
        if let Ok(r) = token::parse(&v, field) {
            let _ = r.expires_in.map(|s| from_expires_in(now, s));
        }
        if let Some(s) = v.as_str() {
            if let Some(claims) = token::jwt_claims(s) {
                let _ = token::claim_time(&claims, "exp");
            }
        }
        let _ = token::claim_time(&v, "exp");
    }

    #[test]
    fn endpoint_answers(status in 0u16..1000, body in prop::collection::vec(any::<u8>(), 0..300), truncated in any::<bool>(),
                        ct in prop_oneof![Just(None), Just(Some("application/x-www-form-urlencoded")), Just(Some("text/html"))],
                        location in prop::option::of(".{0,30}")) {
        let url = url::Url::parse("https://auth.example.com/token").unwrap();
        let answer = Answer { status, location: location.as_deref(), content_type: ct, body: &body, truncated };
        let expect = Expect { stage: Stage::Token, url: &url, token_field: "access_token", cap: 1024, salesforce: status % 2 == 0 };
        let _ = read(answer, &expect);
    }

    #[test]
    fn redirect_queries(path in ".{0,20}", query in prop::option::of(".{0,80}"), state in ".{0,10}") {
        let _ = read_redirect(&path, query.as_deref(), "/callback", &state);
    }

    #[test]
    fn import_files(text in ".{0,200}", v in json()) {
        let _ = ExportFile::parse(&text);
        let _ = ExportFile::parse(&v.to_string());
        let wrapped = serde_json::json!({"format": "oauthdesk-profiles", "version": 1, "exported_at": "2026-01-01T00:00:00Z", "profiles": [v]});
        let _ = ExportFile::parse(&wrapped.to_string());
    }

    #[test]
    fn knowledge_base_lookups(error in ".{0,30}", description in prop::option::of(".{0,80}"), provider in prop::option::of("[a-z]{0,12}")) {
        let problem = Problem::oauth(&error, description.as_deref());
        let _ = knowledge::lookup(&Query { provider: provider.as_deref(), stage: None, status: None, problem: &problem });
    }

    #[test]
    fn error_answers_in_any_shape(body in ".{0,300}", v in json(), content_type in prop::option::of("[a-z/+-]{0,30}")) {
        let _ = answer::parse(content_type.as_deref(), body.as_bytes());
        let _ = answer::from_json(&v);
        let _ = answer::www_authenticate(&body);
        let _ = answer::visible_text(&body);
    }

    #[test]
    fn pasted_errors(text in ".{0,400}", provider in prop::option::of("[a-z]{0,10}")) {
        let _ = paste::explain(&text, provider.as_deref());
        let _ = paste::explain(&format!("HTTP/1.1 400 Bad\r\ncontent-type: application/json\r\n\r\n{text}"), None);
    }

    #[test]
    fn echoed_text_redaction(text in ".{0,200}", secret in ".{0,20}") {
        let mut r = Redactor::default();
        r.value(&secret);
        let out = without_markers(&r.text(&text));
        if secret.chars().count() >= 4 {
            prop_assert!(!out.contains(&secret), "{secret:?} left in {out:?}");
        }
        let _ = keyed(&text);
    }

    #[test]
    fn time_arithmetic(secs in any::<i64>(), margin in any::<i64>()) {
        let now = chrono::Utc::now();
        let _ = from_expires_in(now, secs);
        let _ = margin_secs(margin);
        let claims = serde_json::json!({"exp": secs, "iat": secs as f64 * 1e6});
        let _ = token::claim_time(&claims, "exp");
        let _ = token::claim_time(&claims, "iat");
    }
}
