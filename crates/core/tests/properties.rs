//! No panic on any input: property tests over everything that reads bytes or numbers from
//! outside — the token-response parser, the reading of an endpoint's answer, the redirect's
//! query, the import format, the knowledge-base matcher, the redaction of echoed text, and
//! the time arithmetic on a server's numbers. (`make fuzz` runs the same readers under
//! libFuzzer for longer.)
//!
//! Foreign text in particular: [`every_reader`] is the list of every reader of outside text,
//! and it is fed text made of characters of every UTF-8 length, combining marks and
//! right-to-left script, random bytes, and texts whose length is around each cap a reader
//! cuts at, with a multi-byte character straddling the cap at every offset.
// A test crate: a panic is a failed test, as it should be; it may index what it built.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

#[path = "support/spellings.rs"]
mod spellings;

use oauthdesk_core::margin_secs;
use oauthdesk_core::test_support::diagnose::paste;
use oauthdesk_core::test_support::flows::expiry::from_expires_in;
use oauthdesk_core::test_support::flows::listener::read_redirect;
use oauthdesk_core::test_support::flows::redact::{keyed, Redactor};
use oauthdesk_core::test_support::flows::response::{self, read, Answer, Expect};
use oauthdesk_core::test_support::flows::{discovery, http, test_call, token, trace};
use oauthdesk_core::test_support::knowledge::{self, answer, recognise, Problem, Query};
use oauthdesk_core::test_support::model::text;
use oauthdesk_core::{
    test_support::{pki, validate},
    ExportFile, Stage,
};
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
        let expect = Expect { stage: Stage::Token, url: &url, token_field: "access_token", cap: 1024, redirect_note: (status % 2 == 0).then_some("My Domain") };
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
        let _ = knowledge::lookup(&Query { provider: provider.as_deref(), stage: None, grant: None, status: None, problem: &problem });
    }

    #[test]
    fn error_answers_in_any_shape(body in ".{0,300}", v in json(), content_type in prop::option::of("[a-z/+-]{0,30}")) {
        let _ = answer::parse(content_type.as_deref(), body.as_bytes());
        let _ = answer::from_json(&v);
        let _ = answer::www_authenticate(&body);
        let _ = answer::visible_text(&body);
    }

    #[test]
    fn error_shapes_are_read_without_panic(v in shaped_json(), content_type in prop::option::of(prop_oneof![
        Just("application/json"), Just("application/problem+json"), Just("text/xml"), Just("application/soap+xml"), Just("text/plain"),
    ])) {
        let body = v.to_string();
        let _ = answer::parse(content_type, body.as_bytes());
        let _ = answer::from_json(&v);
        let _ = answer::failed_in_body(content_type, body.as_bytes());
        let xml = format!("<soap:Fault><soap:Code><soap:Value>{body}</soap:Value></soap:Code><soap:Reason><soap:Text>{body}");
        let _ = answer::parse(Some("text/xml"), xml.as_bytes());
        let _ = answer::failed_in_body(None, xml.as_bytes());
    }

    /// However a redacted text is shortened for display (a message preview, a trace body, a
    /// page's words), no marker is cut in half.
    #[test]
    fn redaction_markers_stay_whole_when_text_is_shortened(
        parts in prop::collection::vec(("[a-z é]{0,40}", "[A-Za-z0-9]{6,40}"), 1..150),
    ) {
        let mut red = Redactor::default();
        let mut text = String::new();
        for (words, secret) in &parts {
            red.value(secret);
            text.push_str(words);
            text.push_str(&format!("\"access_token\": \"{secret}\" "));
        }
        let redacted = red.text(&text);
        for shown in [
            response::preview(&redacted),
            trace::body(redacted.as_bytes(), &Redactor::default()).unwrap_or_default(),
            answer::parse(Some("text/plain"), redacted.as_bytes()).and_then(|p| p.description).unwrap_or_default(),
        ] {
            prop_assert!(markers_whole(&shown), "a marker cut in half in {shown:?}");
        }
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
        let out = spellings::without_markers(&r.text(&text));
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

/// Pieces of foreign text: characters of every UTF-8 length (1 to 4 bytes), combining
/// marks, right-to-left script and its marks, joiners, a byte-order mark, the replacement
/// character, controls and an escape sequence, and the ASCII that readers look for.
#[rustfmt::skip]
const PIECES: &[&str] = &[
    "a", "Z", "0", "9", " ", "<", ">", "/", "=", "&", "\"", "'", "%", "{", "}", "[", "]", ":", ",", ";", ".", "\\", "\n", "\r\n",
    "\t", "é", "ß", "ж", "ع", "日", "本", "語", "エ", "ラ", "ー", "€", "😀", "𝄞", "🇯🇵", "e\u{301}", "\u{5e9}\u{5c1}", "\u{202e}",
    "\u{200f}", "\u{200d}", "\u{feff}", "\u{fffd}", "\0", "\u{1b}[31m", "error", "code", "access_token", "AADSTS", "http",
];

fn foreign() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..600).prop_map(|v| v.concat())
}

/// Characters of each length that straddle a cap: 2, 3 and 4 bytes, a letter with a
/// combining mark (3 bytes, 2 characters) and a right-to-left letter with its mark.
const WIDE: &[&str] = &["é", "日", "😀", "e\u{301}", "\u{5e9}\u{5c1}"];

/// The sizes readers cut text at: a message's 200 characters, `looks_like_html`'s 512
/// bytes, `is_html`'s 1 KiB, the trace's body cap, the most of a paste and of a test body.
fn caps() -> Vec<usize> {
    let mut caps = vec![200, 512, 1024, trace::BODY_CAP, knowledge::paste::MAX_PASTE, http::TEST_BODY_CAP];
    caps.sort_unstable();
    caps.dedup();
    caps
}

/// Texts whose length is around `cap` (a character either side) and in which a wide
/// character straddles `cap` at every offset: an ASCII lead of 0..len(c) bytes shifts the
/// run of `c` so that the cap falls on each of its bytes in turn.
fn straddling(cap: usize) -> Vec<String> {
    let mut out = Vec::new();
    for c in WIDE {
        for lead in 0..c.len() {
            let n = cap.saturating_sub(lead) / c.len();
            for n in n.saturating_sub(1)..=n + 1 {
                out.push(format!("{}{}", "a".repeat(lead), c.repeat(n)));
            }
        }
    }
    out
}

/// The shapes readers look inside: the text alone, as an HTML page (visible, in a title
/// and in a script), as a JSON error, a form, an XML error, a raw HTTP response, `curl -v`
/// output, a log line with JSON and an AADSTS code, and a callback URL.
fn shapes(t: &str) -> Vec<String> {
    vec![
        t.to_string(),
        format!("<!DOCTYPE html><html><head><title>{t}</title></head><body><p>{t}</p><script>var e = '{t}'</script></body></html>"),
        format!("{t}<html><body>{t}"),
        serde_json::json!({"error": t, "error_description": t, "message": t, "errorCode": t}).to_string(),
        format!("error={t}&error_description={t}&access_token={t}"),
        format!("<?xml version=\"1.0\"?><Error><Code>{t}</Code><Message>{t}</Message></Error>"),
        format!("HTTP/1.1 400 Bad Request\r\ncontent-type: text/html\r\nwww-authenticate: Bearer error=\"{t}\", error_description=\"{t}\"\r\n\r\n{t}"),
        format!("> POST /oauth2/token HTTP/1.1\n> Host: login.example.com\n>\n< HTTP/1.1 401\n< www-authenticate: Bearer realm=\"{t}\"\n<\n{t}"),
        format!("OAUTH ERROR {{\"error\":\"invalid_client\",\"error_description\":\"{t}\"}} AADSTS7000215: {t}"),
        format!("https://app.example.com/callback?error=access_denied&error_description={t}"),
    ]
}

/// JSON in the error shapes providers answer with: `ok`, `error` objects, problem details,
/// `errors` lists, `status` and `message`, numeric codes.
fn shaped_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("ok"),
        Just("error"),
        Just("errors"),
        Just("errorMessages"),
        Just("code"),
        Just("errorCode"),
        Just("error_subcode"),
        Just("type"),
        Just("Type"),
        Just("title"),
        Just("Title"),
        Just("status"),
        Just("Status"),
        Just("detail"),
        Just("Detail"),
        Just("message"),
        Just("needed"),
        Just("extensions"),
        Just("fault"),
        Just("data"),
        Just("success"),
        Just("instance"),
    ]
    .prop_map(str::to_string);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        ".{0,30}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Whether every `[redacted: ` in a text is closed by its `]`, and none is cut at its start.
fn markers_whole(text: &str) -> bool {
    const OPEN: &str = "[redacted: ";
    let mut rest = text;
    while let Some(i) = rest.find(OPEN) {
        let after = &rest[i + OPEN.len()..];
        let Some(end) = after.find(']') else { return false };
        let inner = &after[..end];
        if !(inner.ends_with(" chars") || inner.contains(" chars, ends …")) {
            return false;
        }
        rest = &after[end..];
    }
    // A marker cut before its `: ` shows as a `[redacted` or a shorter start at the end.
    !["[r", "[redacted"].iter().any(|p| rest.trim_end_matches('…').trim_end().ends_with(p))
}

/// Every reader of text or bytes from outside, fed `bytes` (and its lossy text): what a
/// token endpoint, an API or a discovery document answers, what a person pastes or
/// imports, what a browser brings back, and what is shown of it (previews, trace bodies,
/// redacted text, error messages). A panic anywhere fails the calling test.
fn every_reader(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let text = text.as_ref();
    let url = url::Url::parse("https://auth.example.com/token").unwrap();
    let headers = vec![
        ("content-type".to_string(), "text/html; charset=utf-8".to_string()),
        ("www-authenticate".to_string(), format!("Bearer error=\"invalid_token\", error_description=\"{text}\"")),
        ("x-accepted-oauth-scopes".to_string(), text.to_string()),
        ("retry-after".to_string(), text.to_string()),
        ("location".to_string(), text.to_string()),
    ];

    // A token endpoint's answer, as the exchange reads it, and the token in it.
    for status in [200, 302, 400, 401, 500] {
        for ct in [None, Some("application/json"), Some("application/x-www-form-urlencoded"), Some("text/html"), Some(text)] {
            for truncated in [false, true] {
                let answer = Answer { status, location: Some(text), content_type: ct, body: bytes, truncated };
                let expect = Expect {
                    stage: Stage::Token,
                    url: &url,
                    token_field: "access_token",
                    cap: 1024,
                    redirect_note: (status == 302).then_some(text),
                };
                if let Err(e) = read(answer, &expect) {
                    let _ = e.to_string();
                    let _ = Redactor::default().error(e).to_string();
                }
            }
        }
    }
    let _ = response::looks_like_html(bytes);
    let _ = response::preview(text);
    if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        let _ = token::parse(&v, "access_token");
        let _ = token::parse(&v, "data.accessToken");
        let _ = answer::from_json(&v);
    }
    for field in ["access_token", "data.accessToken"] {
        let _ = token::parse(
            &serde_json::json!({ "access_token": text, "token_type": text, "expires_in": text, "scope": text, "data": { "accessToken": text } }),
            field,
        );
    }
    // JWTs: the text as a token, and as each part of one.
    let _ = token::jwt_claims(text);
    let _ = token::jwt_header(text);
    let b64 = base64_url(bytes);
    for jwt in [format!("{b64}.{b64}.{b64}"), format!("{text}.{text}.{text}"), format!("eyJhbGciOiJub25lIn0.{b64}.")] {
        if let Some(claims) = token::jwt_claims(&jwt) {
            let _ = token::claim_time(&claims, "exp");
        }
        let _ = token::jwt_header(&jwt);
    }

    // An API's answer to the test call, its trace body and its headers.
    for status in [200, 401, 403, 500] {
        for truncated in [false, true] {
            let r = test_call::test_result(&url, "GET", status, headers.clone(), bytes, truncated, 0);
            let _ = trace::body(r.body.as_bytes(), &Redactor::default());
        }
    }
    let _ = trace::body(bytes, &Redactor::default());
    let _ = trace::redact_headers(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let _ = trace::redact_headers([("authorization", text), ("cookie", text)].into_iter());
    let _ = trace::mark(text);
    let _ = test_call::redirect_target(302, Some(text), &url);

    // What an error answer says, in any shape and with any headers.
    for ct in [None, Some("text/html"), Some("application/json"), Some("application/x-www-form-urlencoded"), Some("text/xml"), Some(text)] {
        let _ = answer::parse(ct, bytes);
    }
    let _ = answer::from_response(&headers, bytes);
    let _ = answer::www_authenticate(text);
    let _ = answer::visible_text(text);
    let _ = answer::is_html(text);
    let _ = answer::codes_in_text(text);
    let _ = answer::aadsts_codes(text);
    let _ = knowledge::by_status(429, Some(text), Some(text));
    let _ = recognise::urls_in(text);
    let _ = recognise::from_text(text, None);

    // A pasted error, read and explained.
    let pasted = knowledge::paste::read(text);
    let problem = pasted.problem();
    let _ = pasted.stage(problem.as_ref());
    for provider in [None, Some("auto"), Some("salesforce"), Some("microsoft"), Some(text)] {
        let _ = paste::explain(text, provider).map_err(|e| e.to_string());
    }

    // Redaction of echoed text, with secrets cut from the text itself (so a secret may
    // start or end next to a wide character).
    let mut r = Redactor::default();
    r.value(text::prefix_chars(text, 12)).value(text::cut_bytes_at_char_boundary(text, 7));
    r.basic(text::prefix_chars(text, 3), text::cut_bytes_at_char_boundary(text, 41));
    let _ = r.text(text);
    let _ = keyed(text);

    // Files and values a person brings: an export file, a key or certificate, a field.
    let _ = ExportFile::parse(text);
    let _ = pki::import(bytes, Some(bytes), Some(text));
    let _ = pki::read_certificate(bytes);
    let _ = pki::cert_der(text);
    let _ = validate::url(text);

    // What a browser brings back to the loopback address.
    let _ = read_redirect("/callback", Some(text), "/callback", text::prefix_chars(text, 5));
    let _ = read_redirect(text, Some(text), "/callback", "state");
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Where a multi-byte character straddles a cap, at every offset, at every cap, in every
/// shape: no reader panics. (Before the text helpers, `is_html`'s `text[..1024]` panicked
/// here on the first Japanese page of 1 KiB.)
#[test]
fn wide_characters_straddling_every_cap_in_every_shape() {
    for cap in caps() {
        // At the big caps, only the texts that straddle the cap itself (their leads still
        // put every offset on it), and the text alone: each shape repeats it, and a reader
        // takes tens of milliseconds on 256 KiB unoptimised.
        let big = cap > trace::BODY_CAP;
        for (i, t) in straddling(cap).into_iter().enumerate() {
            if big && i % 3 != 1 {
                continue;
            }
            let shapes = if big { vec![t] } else { shapes(&t) };
            for s in shapes {
                every_reader(s.as_bytes());
            }
        }
    }
}

/// Texts cut inside a character (invalid UTF-8 at the end) and at every length up to
/// 2 KiB and around each cap: the lossy readers and the byte readers never panic.
#[test]
fn texts_cut_inside_a_character_at_every_length() {
    let page = format!("<html><body>{}</body></html>", "エラーが発生しました。😀 e\u{301} \u{5e9}\u{5c1} ".repeat(60));
    for len in (0..page.len().min(2100)).step_by(7).chain([1020, 1021, 1022, 1023, 1024, 1025, 1026, 1027]) {
        every_reader(&page.as_bytes()[..len.min(page.len())]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_reader_takes_foreign_text(t in foreign()) {
        for s in shapes(&t) {
            every_reader(s.as_bytes());
        }
    }

    #[test]
    fn every_reader_takes_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        every_reader(&bytes);
    }

    /// Random foreign text padded so that its end lands around a cap.
    #[test]
    fn every_reader_takes_foreign_text_around_each_cap(t in foreign(), cap in prop::sample::select(vec![200usize, 512, 1024, trace::BODY_CAP]), delta in 0usize..8) {
        let lead = "日".repeat(cap.saturating_sub(t.len()) / 3 + delta);
        every_reader(format!("{lead}{t}").as_bytes());
        every_reader(format!("<html><body>{lead}{t}").as_bytes());
    }

    /// The text helpers themselves, at any byte position in any text.
    #[test]
    fn text_helpers_cut_between_characters(t in foreign(), at in 0usize..4000) {
        let cut = text::cut_bytes_at_char_boundary(&t, at);
        prop_assert!(t.starts_with(cut) && cut.len() <= at);
        prop_assert_eq!(format!("{cut}{}", text::after(&t, cut.len())), t.clone());
        let _ = text::after(&t, at);
        let _ = text::preview(&t, at);
        let mut owned = t.clone();
        text::truncate_at_char_boundary(&mut owned, at);
        prop_assert_eq!(owned.as_str(), cut);
        prop_assert!(text::prefix_chars(&t, at).chars().count() == at.min(t.chars().count()));
    }
}

/// A discovery document of foreign text or random bytes, served on 127.0.0.1: read to an
/// answer or an error, never a panic.
#[test]
fn discovery_documents_of_foreign_text() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let mut bodies: Vec<Vec<u8>> = Vec::new();
        for cap in [1024, trace::BODY_CAP] {
            for t in straddling(cap).into_iter().step_by(3) {
                bodies.push(t.clone().into_bytes());
                bodies.push(serde_json::json!({"issuer": issuer, "token_endpoint": t, "scopes_supported": [t]}).to_string().into_bytes());
                bodies.push(serde_json::json!({"issuer": t}).to_string().into_bytes());
            }
        }
        bodies.push((0..=255u8).cycle().take(5000).collect());
        for body in bodies {
            let serve = async {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let (mut conn, _) = listener.accept().await.unwrap();
                let mut buf = vec![0u8; 8192];
                let _ = conn.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                conn.write_all(head.as_bytes()).await.unwrap();
                conn.write_all(&body).await.unwrap();
                let _ = conn.shutdown().await;
            };
            let (_, found) = tokio::join!(serve, discovery::discover(&issuer));
            if let Ok(mut d) = found {
                d.compare(Some("private_key_jwt"), true, false);
            }
        }
    });
}
