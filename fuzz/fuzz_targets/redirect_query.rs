//! The query of a request to the loopback redirect address.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthdesk_core::flows::listener::read_redirect;

fuzz_target!(|data: &[u8]| {
    if let Ok(query) = std::str::from_utf8(data) {
        let _ = read_redirect("/callback", Some(query), "/callback", "state-1");
    }
});
