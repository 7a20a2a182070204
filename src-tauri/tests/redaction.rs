//! No secret in anything OAuth Desk writes or shows, whatever the server sends back. A
//! stand-in echoes the request in every way servers do (the form body in a 400, the headers
//! as JSON in a 500, the Basic credentials in an error description, the bearer token in a
//! test call's 401), or answers with a form-encoded or numeric token. Every command's output
//! (but `token`'s standard output, which is the token), the SQLite file and its WAL, the
//! logs at trace level and the support report are searched for the client secret, its Basic
//! credentials and every token issued: none may be found.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use common::{data_dir_text, oauthdesk, Run, Server, TestProfile};

const SECRET: &str = "echo-Secret/9f3b+c1";

fn texts(run: &Run) -> String {
    format!("{}\n{}", run.stdout, run.stderr)
}

#[test]
fn whatever_a_server_echoes_no_secret_is_written_or_shown() {
    let standin = Server::start("standin.mjs", &[]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    let form = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut needles: Vec<String> =
        vec![SECRET.into(), form(SECRET), b64(format!("echo-client:{}", form(SECRET))), b64(format!("echo-client:{SECRET}"))];
    let mut shown = String::new();
    for scenario in ["form", "headers", "description", "form-token", "numeric"] {
        for auth in ["basic", "post"] {
            let handle = format!("{scenario}-{auth}");
            TestProfile::client_credentials(&handle, &standin.url(&format!("/echo/{scenario}/token")), "echo-client")
                .set("client_auth", auth)
                .set("test_url", standin.url("/echo/me"))
                .secret(SECRET)
                .add(d);
            let token = oauthdesk(d, &["token", &handle, "--json"], None);
            shown.push_str(&token.stderr);
            if token.code == 0 {
                let v: serde_json::Value = serde_json::from_str(&token.stdout).unwrap();
                needles.push(v["access_token"].as_str().unwrap().to_string());
            }
            let report = d.join(format!("{handle}-report.md"));
            for args in [
                vec!["test", &handle],
                vec!["test", &handle, "--json"],
                vec!["history", &handle, "--json"],
                vec!["history", &handle],
                vec!["show", &handle, "--json"],
                vec!["list", "--json"],
                vec!["diagnose", &handle, "--json"],
                vec!["diagnose", &handle, "--report", report.to_str().unwrap()],
            ] {
                shown.push_str(&texts(&oauthdesk(d, &args, None)));
            }
        }
    }
    let issued = needles.len() - 4;
    assert!(issued >= 4, "the form-encoded and numeric tokens were read as tokens ({issued} issued)");
    let written = data_dir_text(d);
    for needle in &needles {
        assert!(!shown.contains(needle.as_str()), "an output shows {needle}");
        assert!(!written.contains(needle.as_str()), "a file in the data directory holds {needle}");
    }
    assert!(shown.contains("[redacted"), "the echoes were there, redacted");
}
