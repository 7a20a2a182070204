//! An API's answer to the test call: status, headers and body from the input, read into
//! the result shown (with what the error says), its trace body and its headers redacted.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthdesk_core::flows::redact::Redactor;
use oauthdesk_core::flows::{test_call, trace};

fuzz_target!(|data: &[u8]| {
    let (head, body) = data.split_at(data.len().min(2));
    let status = head.first().map(|b| 200 + u16::from(*b) * 2).unwrap_or(401);
    let text = String::from_utf8_lossy(body);
    let header = text.lines().next().unwrap_or_default().to_string();
    let headers = vec![
        ("content-type".to_string(), if head.get(1).is_some_and(|b| b % 2 == 0) { "text/html".into() } else { header.clone() }),
        ("www-authenticate".to_string(), header.clone()),
        ("x-accepted-oauth-scopes".to_string(), header),
    ];
    let url = match url::Url::parse("https://api.example.com/me") {
        Ok(u) => u,
        Err(_) => return,
    };
    let r = test_call::test_result(&url, "GET", status, headers.clone(), body, head.get(1).is_some_and(|b| b % 3 == 0), 0);
    let _ = trace::body(r.body.as_bytes(), &Redactor::default());
    let _ = trace::body(body, &Redactor::default());
    let _ = trace::redact_headers(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
});
