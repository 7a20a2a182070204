//! An OAuth endpoint's answer: status, content type and body from the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthdesk_core::flows::response::{read, Answer, Expect};
use oauthdesk_core::Stage;

fuzz_target!(|data: &[u8]| {
    let (head, body) = data.split_at(data.len().min(3));
    let status = head.first().map(|b| u16::from(*b) * 4).unwrap_or(200);
    let ct = match head.get(1) {
        Some(b) if b % 3 == 0 => Some("application/x-www-form-urlencoded"),
        Some(b) if b % 3 == 1 => Some("text/html"),
        _ => None,
    };
    let url = match url::Url::parse("https://auth.example.com/token") {
        Ok(u) => u,
        Err(_) => return,
    };
    let answer = Answer { status, location: Some("/x"), content_type: ct, body, truncated: head.get(2).is_some_and(|b| b % 2 == 0) };
    let _ = read(answer, &Expect { stage: Stage::Token, url: &url, token_field: "access_token", cap: 1024, salesforce: false });
});
