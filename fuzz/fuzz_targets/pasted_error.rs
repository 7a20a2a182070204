//! A pasted error, as support staff paste it: read, recognised and explained, and the same
//! bytes read as an error answer of each content type.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthdesk_core::diagnose::paste;
use oauthdesk_core::knowledge::answer;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = paste::explain(&text, None);
    for ct in [None, Some("text/html"), Some("application/x-www-form-urlencoded"), Some("text/xml")] {
        let _ = answer::parse(ct, data);
    }
    let _ = answer::www_authenticate(&text);
});
