//! Numbers from a provider never stretch a wait past the caller's: a device sign-in whose
//! answer names any interval or lifetime ends by `--timeout`.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{oauthdesk, Stub, TestProfile};

/// A provider whose device answer names `interval` and `expires_in` as given, and whose
/// token endpoint says "authorization_pending" for ever.
fn provider(interval: &'static str, expires_in: &'static str) -> Stub {
    Stub::start(move |mut conn| {
        conn.set_nonblocking(false).unwrap();
        conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 8192];
        let n = conn.read(&mut buf).unwrap_or(0);
        let request = String::from_utf8_lossy(&buf[..n]).to_string();
        let (status, body) = if request.starts_with("POST /device") {
            (
                "200 OK",
                format!(
                    r#"{{"device_code":"dc","user_code":"UC","verification_uri":"https://example.com/device","interval":{interval},"expires_in":{expires_in}}}"#
                ),
            )
        } else {
            ("400 Bad Request", r#"{"error":"authorization_pending"}"#.to_string())
        };
        let _ = conn.write_all(
            format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
    })
}

#[test]
fn a_device_sign_in_ends_by_its_timeout_whatever_the_provider_asks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let answers = [
        ("1000000000", "1000000000"),
        ("18446744073709551615", "600"),
        ("61", "600"),
        ("\"1000000000\"", "\"99999999999\""),
        ("1e300", "-5"),
        ("-1", "1e300"),
        ("2", "3600"),
    ];
    for (i, (interval, expires_in)) in answers.into_iter().enumerate() {
        let idp = provider(interval, expires_in);
        let handle = format!("tv{i}");
        let base = format!("http://127.0.0.1:{}", idp.port);
        TestProfile::new("device-code", &handle)
            .set("device_authorization_url", format!("{base}/device"))
            .set("token_url", format!("{base}/token"))
            .set("client_id", "device-public")
            .add(d);
        let started = Instant::now();
        let run = oauthdesk(d, &["authorize", &handle, "--timeout", "3"], None);
        let took = started.elapsed();
        assert!(took < Duration::from_secs(6), "interval {interval}, expires_in {expires_in}: took {took:?}");
        assert_ne!(run.code, 0, "{interval}");
        assert!(run.stderr.contains("did not answer within 3 s (timeout)"), "{interval}: {}", run.stderr);
    }
}
