//! `oauthdesk exec`: the command sees each profile's token and its facts in its environment
//! (a child script prints a hash of the token, never the token), OAuth Desk's own output and
//! log files hold no token, the exit status is the command's (a signal as 128+N, a missing
//! command 127), a profile without a token runs nothing, and `--for` refuses a place the
//! profile's token may not go; against the sandbox's test scenarios on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};

use common::{closed_port, data_dir_text, json, oauthdesk, oauthdesk_env, Run, StandIn, TestProfile};

/// The SHA-256 of `text`, by the system's `sha256sum` (what the child script prints).
fn sha256(text: &str) -> String {
    let mut child = Command::new("sha256sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
}

/// `exec` running `sh -c SCRIPT`.
fn exec(d: &std::path::Path, before: &[&str], script: &str) -> Run {
    let mut args = vec!["exec"];
    args.extend_from_slice(before);
    args.extend(["--", "sh", "-c", script]);
    oauthdesk_env(d, &args, None, &[("OAUTHDESK_TOKEN_INSTANCE_URL", "https://stale.example.com")])
}

/// Runs `script` through `exec` as [`exec`] does, with the signals a background job may
/// begin with ignored given back their default action first (a shell cannot do that itself:
/// POSIX keeps a signal ignored on entry ignored), so that the script can end by any signal.
fn exec_with_default_signals(d: &std::path::Path, script: &str) -> Run {
    let reset = r#"$SIG{$_} = "DEFAULT" for qw(INT QUIT HUP TERM); exec @ARGV or die "exec: $!""#;
    oauthdesk_env(d, &["exec", "sess", "--", "perl", "-e", reset, "sh", "-c", script], None, &[])
}

/// A script that prints, for variable NAME, the hash of its value and its facts.
fn report(name: &str) -> String {
    format!(
        "printf %s \"${name}\" | sha256sum | cut -d' ' -f1; echo \"type=${name}_TYPE\"; echo \"expires=${name}_EXPIRES_AT\"; \
         echo \"instance=${{{name}_INSTANCE_URL-unset}}\""
    )
}

#[test]
fn the_command_sees_the_tokens_and_oauth_desk_shows_none() {
    let standin = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("sess", &standin.url("/session/token"), "c")
        .secret("s")
        .set("test_url", standin.url("/session/me"))
        .add(d);
    TestProfile::salesforce_client_credentials("sf", &standin.url(""), "sf-good").secret("sf-secret").add(d);

    let run = exec(d, &["sess"], &format!("{}; exit 7", report("OAUTHDESK_TOKEN")));
    assert_eq!(run.code, 7, "the command's exit status: {}", run.stderr);
    let token = json(oauthdesk(d, &["token", "sess", "--json"], None));
    assert_eq!(token["source"], "cache", "exec kept the token it obtained");
    let value = token["access_token"].as_str().unwrap().to_string();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], sha256(&value), "the child had the token: {}", run.stdout);
    assert_eq!(lines[1], "type=Bearer");
    let expires = lines[2].strip_prefix("expires=").unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(expires).unwrap().timestamp(),
        chrono::DateTime::parse_from_rfc3339(token["expires_at"].as_str().unwrap()).unwrap().timestamp()
    );
    assert_eq!(lines[3], "instance=unset", "a stale value from the caller's environment is removed");

    // Several profiles, each in its variable; Salesforce's instance URL with its token.
    let script = format!("{}; {}", report("A"), report("SF"));
    let run = exec(d, &["sess", "--as", "A", "sf", "--as", "SF"], &script);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sf = json(oauthdesk(d, &["token", "sf", "--json"], None));
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!((lines[0], lines[4]), (sha256(&value).as_str(), sha256(sf["access_token"].as_str().unwrap()).as_str()));
    assert_eq!(lines[7], format!("instance={}", standin.url("")));

    // Two profiles on one name: refused before anything runs, naming --as.
    let marker = d.join("ran");
    let run = exec(d, &["sess", "sf"], &format!("touch {}", marker.display()));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--as NAME") && !marker.exists(), "{}", run.stderr);

    // Nothing OAuth Desk wrote or showed holds a token (the log is at trace level).
    let mut needles = vec![value, sf["access_token"].as_str().unwrap().to_string()];
    needles.retain(|n| n.len() >= 8);
    let written = data_dir_text(d);
    for run in [exec(d, &["sess"], "exit 0"), exec(d, &["sess", "--as", "A", "sf", "--as", "SF"], "exit 3")] {
        for n in &needles {
            assert!(!run.stdout.contains(n.as_str()) && !run.stderr.contains(n.as_str()), "OAuth Desk's output shows a token");
        }
    }
    for n in &needles {
        assert!(!written.contains(n.as_str()), "a file in the data directory holds a token");
    }
    // Nor does the command line the command was given (its arguments are the caller's).
    let run = exec(d, &["sess"], "cat /proc/$$/cmdline | tr '\\0' ' '");
    assert!(!run.stdout.contains(needles[0].as_str()), "the token is not on the command line");
}

#[test]
fn the_exit_status_is_the_commands() {
    let standin = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("sess", &standin.url("/session/token"), "c").secret("s").add(d);
    for code in [0, 1, 2, 42, 126, 255] {
        assert_eq!(exec(d, &["sess"], &format!("exit {code}")).code, code);
    }
    // Ended by a signal: 128+N, as shells say. (A job started in the background by a shell
    // without job control, as on a CI runner, begins with SIGINT ignored.)
    for (sig, n) in [("TERM", 15), ("KILL", 9), ("INT", 2), ("HUP", 1)] {
        assert_eq!(exec_with_default_signals(d, &format!("kill -{sig} $$")).code, 128 + n, "{sig}");
    }
    // A command that is not there: 127 and a clear error; one that cannot be run: 126.
    let run = oauthdesk(d, &["exec", "sess", "--", "no-such-command-0d2f"], None);
    assert_eq!(run.code, 127);
    assert!(run.stderr.contains("cannot run 'no-such-command-0d2f'") && run.stderr.contains("not found"), "{}", run.stderr);
    let run = oauthdesk(d, &["exec", "sess", "--", d.to_str().unwrap()], None);
    assert_eq!(run.code, 126, "{}", run.stderr);
}

#[test]
fn a_profile_without_a_token_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("gone", &format!("http://127.0.0.1:{}/token", closed_port()), "c").secret("s").add(d);
    let marker = d.join("ran");
    let touch = format!("touch {}", marker.display());
    let run = exec(d, &["gone"], &touch);
    assert_eq!(run.code, 1, "the usual error and exit status: {}", run.stderr);
    assert!(run.stderr.contains("cannot reach 127.0.0.1"), "{}", run.stderr);
    let run = exec(d, &["nobody"], &touch);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no profile with handle 'nobody'"), "{}", run.stderr);
    assert!(!marker.exists(), "the command did not run");
}

#[test]
fn for_refuses_a_place_the_token_may_not_go() {
    let standin = StandIn::start();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    TestProfile::client_credentials("sess", &standin.url("/session/token"), "c").secret("s").add(d);
    TestProfile::client_credentials("api", &standin.url("/session/token"), "c").secret("s").set("allowed_hosts", "api.example.com").add(d);
    let marker = d.join("ran");
    let touch = format!("touch {}", marker.display());
    let other = format!("http://127.0.0.1:{}/x", closed_port());
    for (handle, url) in
        [("sess", other.as_str()), ("sess", "https://evil.example.net/"), ("api", "https://evil.example.net/"), ("api", &standin.url("/"))]
    {
        let run = exec(d, &[handle, "--for", url], &touch);
        assert_eq!(run.code, 1, "{handle} {url}: {}", run.stderr);
        assert!(run.stderr.contains("not on the profile's allowed hosts"), "{}", run.stderr);
        assert!(!marker.exists(), "{handle} {url}: the command did not run");
    }
    assert_eq!(standin.hits("/session/token"), 0, "nothing was obtained for a refused place");
    assert_eq!(exec(d, &["sess", "--for", &standin.url("/api")], &touch).code, 0);
    assert_eq!(exec(d, &["api", "--for", "https://api.example.com/v1"], "exit 0").code, 0);
    assert!(marker.exists());
}
