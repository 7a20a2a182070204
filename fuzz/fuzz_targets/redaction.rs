//! Text a server echoed, redacted; and the knowledge base's matcher on it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthdesk_core::flows::redact::{keyed, Redactor};
use oauthdesk_core::knowledge::{self, Problem, Query};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut r = Redactor::default();
        r.value("a-secret-value").basic("client", "a-secret-value");
        let _ = r.text(text);
        let _ = keyed(text);
        // A secret that is a piece of the text itself, cut next to any character.
        let mut own = Redactor::default();
        own.value(text.split(' ').next().unwrap_or(text));
        let _ = own.text(text);
        let (error, description) = text.split_once(' ').unwrap_or((text, ""));
        let problem = Problem::oauth(error, Some(description));
        let _ = knowledge::lookup(&Query { provider: None, stage: None, status: None, problem: &problem });
    }
});
