//! No secret in anything OAuth Desk writes or shows, whatever the server sends back. The
//! sandbox's test scenarios echo the request in every way servers do (the form body in a 400, the headers
//! as JSON in a 500, the Basic credentials in an error description, the bearer token in a
//! test call's 401), or answers with a form-encoded or numeric token. Every command's output
//! (but `token`'s standard output, which is the token), the SQLite file and its WAL, the
//! logs at trace level and the support report are searched for the client secret, its Basic
//! credentials and every token issued: none may be found.
// A test crate: a panic is a failed test, as it should be.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use base64::Engine as _;
use common::{data_dir_text, oauthdesk, Run, StandIn, TestProfile};

const SECRET: &str = "echo-Secret/9f3b+c1";

fn texts(run: &Run) -> String {
    format!("{}\n{}", run.stdout, run.stderr)
}

#[test]
fn whatever_a_server_echoes_no_secret_is_written_or_shown() {
    let standin = StandIn::start();
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

/// A generated secret: printable ASCII with the characters encodings treat specially, and
/// non-ASCII letters, between two plain characters (so no shell or pipe trims it).
fn generated_secret(seed: &mut u64) -> String {
    const ABC: &[&str] =
        &["a", "Z", "7", "+", "/", "=", "&", "%", " ", "'", "\"", "<", ">", ":", "?", "#", "é", "€", "😀", "q", "K", "0", "_", "."];
    let mut s = String::from("S");
    for _ in 0..28 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        s.push_str(ABC[(*seed % ABC.len() as u64) as usize]);
    }
    s.push('x');
    s
}

/// Generated secrets, echoed in every spelling by a stand-in provider, with the tokens it
/// issued (an earlier one too): none of it in any output of any command (but `token`'s
/// standard output, which is the token), in the report, the log file or the store.
#[test]
fn no_spelling_of_a_secret_or_an_earlier_token_reaches_any_output_or_file() {
    let echo = common::echo::Echo::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let first_seed = seed;
    let mut shown = String::new();
    for auth in ["basic", "post"] {
        let secret = generated_secret(&mut seed);
        let handle = format!("echo-{auth}");
        let client_id = "echo client";
        echo.state.lock().unwrap().secrets.push((client_id.to_string(), secret.clone()));
        echo.state.lock().unwrap().refuse = false;
        let add = TestProfile::client_credentials(&handle, &echo.url("/token"), client_id)
            .set("client_auth", auth)
            .set("test_url", echo.url("/me"))
            .secret(secret.as_str())
            .add(d);
        shown.push_str(&texts(&add));
        // Two tokens: the first is an earlier one when the second is stored.
        for force in [false, true] {
            let args = if force { vec!["token", &handle, "--force", "--json"] } else { vec!["token", &handle, "--json"] };
            let run = oauthdesk(d, &args, None);
            assert_eq!(run.code, 0, "{}", run.stderr);
            shown.push_str(&run.stderr);
        }
        let report = d.join(format!("{handle}-report.md"));
        let runs: Vec<Vec<&str>> = vec![
            vec!["test", &handle],
            vec!["test", &handle, "--json"],
            vec!["diagnose", &handle, "--json"],
            vec!["diagnose", &handle, "--report", report.to_str().unwrap()],
            vec!["history", &handle, "--json"],
            vec!["history", &handle],
            vec!["show", &handle, "--json"],
            vec!["show", &handle],
            vec!["list", "--json"],
            vec!["export"],
        ];
        for args in &runs {
            shown.push_str(&texts(&oauthdesk(d, args, None)));
        }
        // Refused, with the echo in the error description: stderr, --json, the history.
        echo.state.lock().unwrap().refuse = true;
        for args in [vec!["token", &handle, "--force"], vec!["token", &handle, "--force", "--json"], vec!["history", &handle, "--json"]] {
            shown.push_str(&texts(&oauthdesk(d, &args, None)));
        }
        shown.push_str(&std::fs::read_to_string(&report).unwrap_or_default());
    }
    let needles = echo.state.lock().unwrap().needles();
    assert!(echo.state.lock().unwrap().issued.len() >= 4, "tokens were issued");
    assert!(shown.contains("[redacted"), "the echoes were there, redacted");
    let left = common::spellings::survivors(&shown, &needles);
    assert!(left.is_empty(), "seed {first_seed}: outputs show {left:?}");
    let written = data_dir_text(d);
    let left = common::spellings::survivors(&written, &needles);
    assert!(left.is_empty(), "seed {first_seed}: files in the data directory hold {left:?}");
}

fn has_control(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
    })
}

/// Escape sequences, C0/C1 controls and bidi overrides, in a certificate's subject and in a
/// pasted error, never reach the terminal as they are: in text and in `--json`.
#[test]
fn control_sequences_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let d = dir.path();
    let nasty = [
        "\u{1b}]0;owned\u{7}",
        "\u{1b}[2J\u{1b}[31m",
        "\u{1b}]8;;https://evil.example/\u{1b}\\",
        "\u{9b}1m",
        "\r\u{8}\u{7f}",
        "\u{202e}txt.exe",
        "\u{2066}x\u{2069}",
        "\u{1b}P+q\u{1b}\\",
    ];
    for (i, n) in nasty.iter().enumerate() {
        // A certificate whose subject carries it.
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(rcgen::DnType::CommonName, format!("client {n} end"));
        params.distinguished_name.push(rcgen::DnType::OrganizationName, format!("org{n}"));
        let cert = params.self_signed(&key).unwrap();
        let path = files.path().join(format!("k{i}.pem"));
        std::fs::write(&path, format!("{}{}", key.serialize_pem(), cert.pem())).unwrap();
        let handle = format!("cert-{i}");
        TestProfile::client_credentials(&handle, "https://idp.example.com/token", "c").set("client_auth", "private_key_jwt").add(d);
        let path = path.to_str().unwrap();
        for args in [
            vec!["key", "import", &handle, path],
            vec!["key", "show", &handle],
            vec!["key", "show", &handle, "--json"],
            vec!["show", &handle],
            vec!["diagnose", &handle],
        ] {
            let run = oauthdesk(d, &args, None);
            for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                assert_eq!(has_control(text), None, "{args:?} {name}: {text:?}");
            }
        }
        // A pasted error that carries it, read from standard input and as an argument.
        let pasted = format!("HTTP/1.1 400 Bad Request\r\n\r\n{{\"error\":\"invalid_grant{n}\",\"error_description\":\"x{n}y\"}}");
        for (args, stdin) in
            [(vec!["explain"], Some(pasted.as_str())), (vec!["explain", "--json"], Some(pasted.as_str())), (vec!["explain", &pasted], None)]
        {
            let run = oauthdesk(d, &args, stdin);
            for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                assert_eq!(has_control(text), None, "{args:?} {name}: {text:?}");
            }
        }
    }
}
