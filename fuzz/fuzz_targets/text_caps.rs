//! Every reader of outside text where it cuts: the input after a run of a wide character
//! (2, 3 or 4 bytes, chosen by the first byte) long enough that the 1 KiB and the 4 KiB
//! cuts fall inside the input, at an offset the input's length moves, read as a pasted
//! error, an error answer of each content type, a trace body and a preview.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthdesk_core::diagnose::paste;
use oauthdesk_core::flows::redact::Redactor;
use oauthdesk_core::flows::{response, trace};
use oauthdesk_core::knowledge::answer;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let wide = ["é", "日", "😀", "e\u{301}"][usize::from(pick) % 4];
    for cap in [1024, trace::BODY_CAP] {
        let mut bytes = wide.repeat(cap / wide.len() - usize::from(pick) % 8).into_bytes();
        bytes.extend_from_slice(rest);
        let text = String::from_utf8_lossy(&bytes);
        let _ = paste::explain(&text, None);
        for ct in [None, Some("text/html"), Some("text/plain"), Some("application/x-www-form-urlencoded")] {
            let _ = answer::parse(ct, &bytes);
        }
        let _ = answer::visible_text(&text);
        let _ = response::looks_like_html(&bytes);
        let _ = response::preview(&text);
        let _ = trace::body(&bytes, &Redactor::default());
    }
});
