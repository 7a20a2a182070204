//! Text a server echoed, redacted; and the knowledge base's matcher on it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthdesk_core::diagnose::kb;
use oauthdesk_core::flows::redact::Redactor;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut r = Redactor::default();
        r.value("a-secret-value").basic("client", "a-secret-value");
        let _ = r.text(text);
        let (error, description) = text.split_once(' ').unwrap_or((text, ""));
        let _ = kb::lookup(error, Some(description));
    }
});
