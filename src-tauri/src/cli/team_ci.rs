//! `test --all --team DIR [--junit FILE] [--json]`: a team's connection health where no one
//! is at the machine and no keyring is (a CI runner, a container). The store is a throwaway
//! one (see [`super::run`]: a temporary folder removed when the run ends, its data key held
//! in memory only), the team folder is synced into it, and every profile is tested as
//! `test --all` tests it; the core decides, this module presents: text or JSON on standard
//! output, and a JUnit XML report for the CI server. Exit 1 when any profile fails, 0 when
//! all pass (warnings do not fail the run).

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use oauthdesk_core::{Checked, Health, SyncOptions, SyncOutcome, SyncReport, TeamHealth};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::Out;
use crate::error::AppResult;
use crate::shown::for_terminal;

/// The report's name and the test cases' class, as a CI server groups them.
const SUITE: &str = "oauthdesk";

/// Prints the team's health `t` (and writes the JUnit report to `junit`); returns the exit status.
pub fn present(out: &Out, t: &TeamHealth, junit: Option<&Path>) -> AppResult<i32> {
    if let Some(file) = junit {
        write_junit(file, &t.health)?;
    }
    out.print(t, || {
        format!(
            "{}
{}",
            sync_line(&t.sync),
            text(&t.health)
        )
    });
    Ok(if t.health.ok { 0 } else { 1 })
}

/// What the sync did, in one line: the folder, its commit and the counts.
fn sync_line(r: &SyncReport) -> String {
    let commit = r.commit.as_deref().map(|c| format!(" at {}", c.get(..12).unwrap_or(c))).unwrap_or_default();
    let counts: Vec<String> = [SyncOutcome::Added, SyncOutcome::Changed, SyncOutcome::Unchanged, SyncOutcome::Removed]
        .into_iter()
        .filter_map(|o| Some(r.count(o)).filter(|n| *n > 0).map(|n| format!("{n} {}", o.label())))
        .collect();
    format!("Team folder {}{commit}: {}", r.dir, if counts.is_empty() { "no profiles".into() } else { counts.join(", ") })
}

/// One line per profile, its cause and fix under a failure and its warnings under it; then
/// the counts.
fn text(h: &Health) -> String {
    let mut s = String::new();
    for r in &h.results {
        let t = &r.outcome;
        let status = t.status.map(|s| format!("HTTP {s}")).unwrap_or_else(|| "no answer".into());
        let mark = if !t.ok {
            "✗"
        } else if r.warnings.is_empty() {
            "✓"
        } else {
            "!"
        };
        let _ = writeln!(s, "{mark} {:<24} {status} in {} ms", t.handle, t.elapsed_ms);
        if let Some(f) = &t.failure {
            let _ = writeln!(s, "    cause: {}", f.cause);
            for fix in &f.fix {
                let _ = writeln!(s, "    fix: {fix}");
            }
        } else if let Some(c) = &t.cause {
            let _ = writeln!(s, "    cause: {c}");
        }
        for w in &r.warnings {
            let _ = writeln!(s, "    warning: {}", warning_line(w));
        }
    }
    let _ = writeln!(s, "\n{} tests: {} ok, {} failing, {} with warnings", h.tests, h.passed, h.failed, h.warned);
    s
}

fn warning_line(w: &oauthdesk_core::RadarWarning) -> String {
    let date = w.date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "no date".into());
    format!("{} ({date}): {} Fix: {}", w.kind, w.why, w.fix)
}

/// The failure's message in the report: its cause and fix, in one line.
fn failure_message(r: &Checked) -> String {
    let t = &r.outcome;
    match &t.failure {
        Some(f) if f.fix.is_empty() => f.cause.clone(),
        Some(f) => format!("{} Fix: {}", f.cause, f.fix.join(" ")),
        None => t.cause.clone().unwrap_or_else(|| "the test failed".into()),
    }
}

/// The failure at length: where it failed, the cause, each fix, the provider's words and
/// where the explanation comes from.
fn failure_description(r: &Checked) -> String {
    let t = &r.outcome;
    let mut s = String::new();
    if let Some(f) = &t.failure {
        let _ = writeln!(s, "failed {}{}", f.step, f.status.map(|s| format!(" (HTTP {s})")).unwrap_or_default());
        let _ = writeln!(s, "cause: {}", f.cause);
        for fix in &f.fix {
            let _ = writeln!(s, "fix: {fix}");
        }
        for (name, value) in
            [("provider said", &f.provider_words), ("detail", &f.detail), ("explained by", &f.knowledge), ("source", &f.source)]
        {
            if let Some(v) = value {
                let _ = writeln!(s, "{name}: {v}");
            }
        }
    } else if let Some(c) = &t.cause {
        let _ = writeln!(s, "cause: {c}");
    }
    s
}

/// The JUnit XML report: one test case per profile; a failure's message is its cause and
/// fix; warnings are the case's properties and its system-out. Every text in it passes the
/// redactor (and the whole file once more), so no secret read during the run can be in it.
pub fn junit(h: &Health) -> AppResult<String> {
    let shown = |s: &str| for_terminal(s);
    let mut suite = TestSuite::new(SUITE);
    suite.set_time(Duration::from_millis(h.results.iter().map(|r| r.outcome.elapsed_ms).max().unwrap_or(0)));
    for r in &h.results {
        let t = &r.outcome;
        let status = if t.ok {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(shown(&failure_message(r)));
            status.set_type(t.knowledge.as_deref().or(t.failure.as_ref().and_then(|f| f.knowledge.as_deref())).unwrap_or("failure"));
            status.set_description(shown(&failure_description(r)));
            status
        };
        let mut case = TestCase::new(shown(&t.handle), status);
        case.set_classname(SUITE);
        case.set_time(Duration::from_millis(t.elapsed_ms));
        if let Some(code) = t.status {
            case.add_property(Property::new("http_status", code.to_string()));
        }
        for (i, w) in r.warnings.iter().enumerate() {
            case.add_property(Property::new(format!("warning.{}", i + 1), shown(&warning_line(w))));
        }
        if !r.warnings.is_empty() {
            let lines: Vec<String> = r.warnings.iter().map(|w| format!("warning: {}", warning_line(w))).collect();
            case.set_system_out(shown(&lines.join("\n")));
        }
        suite.add_test_case(case);
    }
    suite.add_property(Property::new("warned", h.warned.to_string()));
    let mut report = Report::new(SUITE);
    report.add_test_suite(suite);
    let xml = report.to_string().map_err(|e| oauthdesk_core::Error::Internal(format!("cannot write the JUnit report: {e}")))?;
    Ok(oauthdesk_core::redact_text(&xml))
}

fn write_junit(file: &Path, h: &Health) -> AppResult<()> {
    let xml = junit(h)?;
    std::fs::write(file, xml).map_err(|e| oauthdesk_core::Error::invalid("junit", format!("cannot write {}: {e}", file.display())))?;
    Ok(())
}

/// Syncs the team folder `dir` into the throwaway store `desk` and tests every profile.
pub fn run(desk: &oauthdesk_core::Desk, out: &Out, dir: &Path, a: &super::connect::TestArgs) -> AppResult<i32> {
    let t = super::block_on(desk.team_health(dir, SyncOptions::default(), a.parallel))??;
    present(out, &t, a.junit.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oauthdesk_core::{Failure, RadarWarning, Secret, TestOutcome};

    fn outcome(handle: &str, cause: Option<&str>) -> TestOutcome {
        let at = chrono::Utc::now();
        TestOutcome {
            handle: handle.into(),
            ok: cause.is_none(),
            status: cause.map(|_| 401),
            elapsed_ms: 12,
            cause: cause.map(str::to_string),
            knowledge: cause.map(|_| "invalid-client".into()),
            failure: cause.map(|c| Failure {
                at,
                stage: None,
                step: "while asking for a token".into(),
                status: Some(401),
                cause: c.into(),
                fix: vec!["Check the <client> & \"secret\".".into(), "Then try again.".into()],
                need: None,
                provider_words: Some(format!("invalid_client: {c}")),
                detail: None,
                provider: None,
                knowledge: Some("invalid-client".into()),
                source: None,
            }),
            at,
        }
    }

    /// Every character XML gives a meaning, every control a terminal obeys, and a secret the
    /// process knows, in causes and warnings: the report parses, says each as text, holds no
    /// control character and never the secret.
    #[test]
    fn the_junit_report_is_well_formed_whatever_the_causes_say_and_holds_no_secret() {
        let secret = Secret::new("a-client-secret-the-report-must-not-hold-42");
        let nasty = ["<b>&amp;</b>", "\"quoted\" 'single'", "]]> end of CDATA", "bell\u{7} esc\u{1b}[31m red", "tab\tnew\nline"];
        let mut results = Vec::new();
        for (i, words) in nasty.iter().enumerate() {
            let cause = format!("refused {words} with {}", secret.expose());
            let warning = RadarWarning {
                handle: format!("p{i}"),
                date: None,
                kind: "certificate_expiring".into(),
                why: format!("ends soon {words}"),
                fix: "renew it".into(),
                source: "https://example.com".into(),
            };
            results.push(Checked { outcome: outcome(&format!("p{i}"), Some(&cause)), warnings: vec![warning] });
            results.push(Checked { outcome: outcome(&format!("ok{i}"), None), warnings: vec![] });
        }
        let h = Health { ok: false, tests: results.len(), passed: nasty.len(), failed: nasty.len(), warned: nasty.len(), results };
        let xml = junit(&h).unwrap();
        assert!(!xml.contains(secret.expose()), "{xml}");
        assert!(!xml.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')), "{xml:?}");
        let report = Report::deserialize_from_str(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
        assert_eq!((report.tests, report.failures), (10, 5));
        let cases = &report.test_suites[0].test_cases;
        for (i, words) in nasty.iter().enumerate().take(3) {
            let TestCaseStatus::NonSuccess { message, ty, .. } = &cases[2 * i].status else { panic!("{i}") };
            let message = message.as_ref().unwrap().as_str();
            assert!(message.contains(words) && message.contains("Fix: Check the <client> & \"secret\". Then try again."), "{message}");
            assert_eq!(ty.as_ref().map(|t| t.as_str()), Some("invalid-client"));
            assert!(cases[2 * i].system_out.as_ref().is_some_and(|o| o.as_str().contains(&format!("ends soon {words}"))));
            assert!(matches!(cases[2 * i + 1].status, TestCaseStatus::Success { .. }));
        }
    }
}
