//! `token`, `test` and `history`: getting a token for scripts, proving it works, and what
//! happened before.

use std::fmt::Write as _;

use clap::Args;
use oauthdesk_core::margin_secs;
use oauthdesk_core::{AnswerKind, Desk, Error, Labelled, Token, TokenInfo};
use serde::Serialize;

use super::block_on;
use super::Out;
use crate::error::AppResult;

#[derive(Args, Debug)]
pub struct TokenArgs {
    /// The profile's handle
    pub handle: String,
    /// Always make a new exchange, even when the cached token is still good
    #[arg(long)]
    pub force: bool,
    /// Renew a cached token that has less than this many seconds left
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub margin: i64,
}

/// `token --json`: the token and what is known about it.
#[derive(Serialize)]
struct TokenOutput<'a> {
    access_token: &'a str,
    expires_in: Option<i64>,
    #[serde(flatten)]
    info: &'a TokenInfo,
}

pub fn token(desk: &Desk, out: &Out, a: TokenArgs) -> AppResult<()> {
    let t = block_on(desk.token_for(&a.handle, None, a.force, margin_secs(a.margin)))??;
    print_token(out, &t, || t.access_token.expose().to_string());
    Ok(())
}

/// Prints a token as `token --json` does, or `text` without `--json`.
pub(crate) fn print_token(out: &Out, t: &Token, text: impl FnOnce() -> String) {
    let output = TokenOutput { access_token: t.access_token.expose(), expires_in: t.info.expires_in(), info: &t.info };
    out.print_secret(&output, text);
}

fn expiry_line(info: &TokenInfo) -> String {
    match (info.expires_at, info.expires_in()) {
        (Some(at), Some(left)) => {
            format!("expires {} (in {}m {}s, from {})", at.to_rfc3339(), left / 60, left % 60, info.expiry_source.label())
        }
        _ => format!("expiry unknown: {}", info.expiry_note.as_deref().unwrap_or("the provider did not say")),
    }
}

#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// The profile's handle (or --all)
    pub handle: Option<String>,
    /// Test every profile, concurrently; exit 0 when all pass, 1 otherwise
    #[arg(long, conflicts_with = "handle")]
    pub all: bool,
    /// With --all: how many profiles at once
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub parallel: usize,
    /// With --all: test the profiles of this team folder instead of the store's, for CI: in a
    /// throwaway store removed at exit, its key in memory, no keyring or D-Bus session used;
    /// secrets come from the profiles' references
    #[arg(long, value_name = "DIR", requires = "all", conflicts_with = "handle")]
    pub team: Option<std::path::PathBuf>,
    /// With --team: also write a JUnit XML report (one test case per profile) to FILE
    #[arg(long, value_name = "FILE", requires = "team")]
    pub junit: Option<std::path::PathBuf>,
}

/// `test H`, or `test --all`: exit 0 when the test (me) call answers 2xx (all of them).
pub fn test(desk: &Desk, out: &Out, a: TestArgs) -> AppResult<i32> {
    if a.all {
        let r = block_on(desk.test_all(&[], a.parallel, |_, _| {}))??;
        let radar = super::radar::for_test_all(desk)?;
        /// The results and, beside them, what will break next.
        #[derive(Serialize)]
        struct WithRadar<'a> {
            #[serde(flatten)]
            all: &'a oauthdesk_core::TestAll,
            warnings: &'a [oauthdesk_core::RadarWarning],
        }
        out.print(&WithRadar { all: &r, warnings: &radar.warnings }, || {
            let mut s = String::new();
            for t in &r.results {
                let status = t.status.map(|s| format!("HTTP {s}")).unwrap_or_else(|| "no answer".into());
                let _ = write!(s, "{} {:<24} {status} in {} ms", if t.ok { "✓" } else { "✗" }, t.handle, t.elapsed_ms);
                if let Some(c) = &t.cause {
                    let _ = write!(s, ": {c}");
                }
                s.push('\n');
            }
            let _ = writeln!(s, "\n{} ok, {} failing", r.ok, r.failed);
            if !radar.warnings.is_empty() {
                let _ = write!(s, "\nWhat will break next:\n{}", super::radar::text(&radar.warnings));
            }
            s
        });
        return Ok(if r.failed == 0 { 0 } else { 1 });
    }
    let handle = a.handle.ok_or_else(|| Error::invalid("handle", "give a profile's handle, or --all"))?;
    one(desk, out, &handle).map(|()| 0)
}

fn one(desk: &Desk, out: &Out, handle: &str) -> AppResult<()> {
    let r = block_on(desk.connect(handle, false))??;
    let Some(test) = r.test else {
        let note = r.test_note.unwrap_or_default();
        return Err(Error::invalid("test_url", format!("{note} (oauthdesk edit {handle} --set test_url=URL)")).into());
    };
    #[derive(Serialize)]
    struct TestOutput<'a> {
        #[serde(flatten)]
        test: &'a oauthdesk_core::TestResult,
        token: &'a TokenInfo,
    }
    out.print(&TestOutput { test: &test, token: &r.token }, || {
        let mut s = r.note.as_ref().map(|n| format!("Note: {n}.\n")).unwrap_or_default();
        s += &format!("{} {} → HTTP {} in {} ms\n", test.method, test.url, test.status, test.elapsed_ms);
        let _ = writeln!(s, "token: {} {}, {}", r.token.token_type, r.token.scope.as_deref().unwrap_or(""), expiry_line(&r.token));
        let _ = writeln!(s, "\n{}", test.body);
        if test.truncated {
            s.push_str("\n[body cut at 256 KiB]\n");
        }
        s
    });
    if test.ok {
        Ok(())
    } else {
        Err(Error::BadResponse {
            stage: oauthdesk_core::Stage::Test,
            status: Some(test.status),
            kind: AnswerKind::Status,
            message: if (200..300).contains(&test.status) {
                format!("the test call answered HTTP {}, but its body says the call failed", test.status)
            } else {
                format!("the test call answered HTTP {}", test.status)
            },
        }
        .into())
    }
}

pub fn history(desk: &Desk, out: &Out, handle: &str, limit: usize) -> AppResult<()> {
    let attempts = desk.history(handle, limit)?;
    out.print(&attempts, || {
        let mut s = String::new();
        for a in &attempts {
            let status = a.status.map(|s| s.to_string()).unwrap_or_else(|| "-".into());
            let what = if a.ok {
                "ok".to_string()
            } else {
                format!("{} {}", a.error.as_deref().unwrap_or(""), a.error_description.as_deref().unwrap_or(""))
            };
            let _ = writeln!(s, "{}  {:<10} {:>4}  {:>6} ms  {}", a.at.to_rfc3339(), a.stage.label(), status, a.elapsed_ms, what.trim());
        }
        if s.is_empty() {
            s = format!("No attempts yet for '{handle}'.");
        }
        s
    });
    Ok(())
}
