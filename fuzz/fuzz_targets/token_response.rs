//! A token response, as any bytes: parsed as JSON, read as a token, its times computed.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthdesk_core::flows::{expiry, token};

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Ok(r) = token::parse(&v, "access_token") {
            let _ = r.expires_in.map(|s| expiry::from_expires_in(chrono::Utc::now(), s));
            let _ = token::jwt_claims(r.access_token.expose()).map(|c| token::claim_time(&c, "exp"));
        }
        let _ = token::parse(&v, "data.accessToken");
    }
});
