//! The redactor against the class: generated secrets (ASCII with `+/=&%`, spaces, quotes,
//! unicode), written in every spelling (tests/support/spellings.rs), embedded in bodies,
//! headers, errors and descriptions, and in a trace as the flows record it: nothing of them
//! may survive, and text that holds none of them comes out as it went in.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

#[path = "support/spellings.rs"]
mod spellings;

use oauthdesk_core::test_support::flows::redact::Redactor;
use oauthdesk_core::test_support::secret::redact;
use oauthdesk_core::test_support::secret::{AccessToken, Assertion, ClientSecret, RefreshToken};
use proptest::prelude::*;

/// A secret as users and providers make them.
fn secret() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9+/=&%' \"<>:;?#é€😀_.~-]{16,48}",
        "[A-Za-z0-9]{20,64}",
        "[A-Za-z0-9+/]{30,60}={0,2}",
        ("[A-Za-z0-9_-]{20,40}", "[A-Za-z0-9_-]{20,80}", "[A-Za-z0-9_-]{43,86}").prop_map(|(h, p, s)| format!("eyJ{h}.eyJ{p}.{s}")),
    ]
}

/// Every place a value reaches a text: the needle embedded as servers, logs and people do.
fn embeddings(needle: &str) -> Vec<String> {
    vec![
        format!("{{\"error\":\"invalid_client\",\"error_description\":\"client {needle} is unknown\"}}"),
        format!("grant_type=client_credentials&client_secret={needle}&scope=api"),
        format!("HTTP/1.1 401 Unauthorized\r\nX-Echo: {needle}\r\nWWW-Authenticate: Bearer error_description=\"{needle}\"\r\n\r\n"),
        format!("Location: https://app.example.com/cb?state=x&echo={needle}#frag"),
        format!("<html><body><p>You sent: {needle}</p></body></html>"),
        format!("the token endpoint said: {needle}."),
        format!("{needle}"),
        format!("…{needle}…"),
    ]
}

fn check(out: &str, needles: &[String]) -> Result<(), TestCaseError> {
    let left = spellings::survivors(out, needles);
    prop_assert!(left.is_empty(), "{left:?} survive in {out:?}");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn no_spelling_of_any_known_secret_survives(value in secret(), role in 0usize..5, client_id in "[a-z0-9 ._-]{3,20}") {
        // Made the way the process makes them: the type registers the value.
        match role {
            0 => drop(ClientSecret::new(value.clone())),
            1 => drop(AccessToken::new(value.clone())),
            2 => drop(RefreshToken::new(value.clone())),
            3 => drop(Assertion::new(value.clone())),
            _ => drop(oauthdesk_core::Secret::new(value.clone())),
        }
        let mut r = Redactor::default();
        r.basic(&client_id, &value);
        let mut needles = spellings::of(&value);
        needles.extend(spellings::basic(&client_id, &value));
        needles.extend(spellings::parts(&value));
        for needle in needles.clone() {
            for text in embeddings(&needle) {
                check(&redact::text(&text), &needles)?;
                check(&Redactor::default().text(&text), &needles)?;
            }
        }
        // In a JSON document, every string is redacted and it stays a document.
        let mut doc = serde_json::json!({ "body": needles.join(" "), needles[0].clone(): [needles.last().cloned()] });
        redact::json(&mut doc);
        check(&doc.to_string(), &needles)?;
    }

    #[test]
    fn text_without_secrets_is_left_as_it_is(text in "[ -~]{0,400}") {
        drop(ClientSecret::new("Zx9-Known-Secret-Value-123"));
        let out = redact::text(&text);
        prop_assert!(out == text || text.contains("Zx9-Known"), "{text:?} became {out:?}");
    }
}

#[test]
fn codes_ids_and_markers_are_kept() {
    drop(ClientSecret::new("q8Fz2-long-enough-secret+/="));
    let text = r#"{"code": 404, "error": "invalid_client", "error_codes": [7000215], "trace_id": "0a1b2c3d-4e5f-6789-abcd-ef0123456789", "at": "2024-05-01T10:00:00Z"}"#;
    assert_eq!(redact::text(text), text);
    let once = redact::text("secret=q8Fz2-long-enough-secret+/= here");
    assert_eq!(redact::text(&once), once, "a marker passes again unchanged");
    assert!(once.starts_with("secret=[redacted: 27 chars, ends …t+/=] here"), "{once}");
}

#[test]
fn an_earlier_token_in_base64_and_a_signature_alone_are_found() {
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLXNlZ21lbnQtb2YtdGhlLWFzc2VydGlvbi14eXo";
    drop(Assertion::new(jwt));
    let sig = jwt.rsplit('.').next().unwrap();
    let out = redact::text(&format!("bad signature {sig} in request"));
    assert!(!out.contains(sig), "{out}");
    let rt = "8xLq0-rotated-refresh-token-value";
    drop(RefreshToken::new(rt));
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(format!("{{\"refresh_token\":\"{rt}\"}}"));
    let out = redact::text(&format!("state={b64}"));
    assert!(!spellings::without_markers(&out).contains(&b64[8..28]), "{out}");
}

/// A thousand profiles' values (secrets, opaque tokens, JWTs) known, and a 1 MiB body.
#[test]
fn a_thousand_profiles_and_a_mebibyte_stay_fast() {
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut random = |n: usize| -> String {
        const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                ABC[(seed % 64) as usize] as char
            })
            .collect()
    };
    let started = std::time::Instant::now();
    for i in 0..1000 {
        drop(ClientSecret::new(format!("client-secret-{i:04}-abcdefghijklmnop")));
        drop(AccessToken::new(format!("eyJ{}.eyJ{}.{}", random(30), random(900), random(342))));
        drop(RefreshToken::new(random(64)));
    }
    let registered = started.elapsed();
    let body: String = (0..30_000).map(|i| format!("{{\"line\":{i},\"text\":\"nothing secret here\"}}\n")).collect::<String>();
    let body = format!("{body}client-secret-0999-abcdefghijklmnop");
    assert!(body.len() > 1 << 20);
    let started = std::time::Instant::now();
    let out = redact::text(&body);
    let scanned = started.elapsed();
    assert!(!out.contains("client-secret-0999-abcdefghijklmnop"));
    eprintln!("registered 3000 values in {registered:?}; redacted {} bytes in {scanned:?}", body.len());
    assert!(scanned.as_secs() < 20, "{scanned:?}");
}

/// A key is known whole: its certificate, which repeats its public half, is shown as it is,
/// and the key itself, in any spelling, is not.
#[test]
fn a_key_is_redacted_and_its_certificate_is_not() {
    use oauthdesk_core::test_support::pki::{generate, Algorithm};
    for alg in [Algorithm::Es256, Algorithm::Rs256] {
        let m = generate(alg, None, "redaction test").unwrap();
        let cert = m.cert.clone().unwrap();
        assert_eq!(redact::text(&cert), cert, "the certificate of {alg:?} is shown whole");
        let pem = m.key.expose().to_string();
        let json = serde_json::to_string(&pem).unwrap();
        for text in [pem.clone(), json] {
            let body: Vec<&str> = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            let out = redact::text(&format!("oops: {text}"));
            assert!(body.iter().take(body.len().saturating_sub(1)).all(|l| !out.contains(l)), "{out}");
        }
    }
}
