//! A token read as a JWT, without verification (for display and expiry): the input as the
//! token, and as each of its three parts.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthdesk_core::flows::token;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for jwt in [text.to_string(), format!("{text}.{text}.{text}"), format!("eyJhbGciOiJub25lIn0.{text}.")] {
        if let Some(claims) = token::jwt_claims(&jwt) {
            let _ = token::claim_time(&claims, "exp");
            let _ = token::claim_time(&claims, "iat");
        }
        let _ = token::jwt_header(&jwt);
    }
});
