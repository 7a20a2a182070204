//! A key or certificate file given to `key import`: PEM or DER of any kind, with the same
//! bytes as the certificate and a password from the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthdesk_core::pki;

fuzz_target!(|data: &[u8]| {
    let password = String::from_utf8_lossy(data.get(..8).unwrap_or(data)).into_owned();
    let _ = pki::import(data, None, None);
    let _ = pki::import(data, Some(data), Some(&password));
    let _ = pki::read_certificate(data);
    let _ = pki::cert_der(&String::from_utf8_lossy(data));
});
