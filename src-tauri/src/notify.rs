//! Desktop notifications, for what happens while nobody looks at the window: a background
//! renewal that failed (so the token will expire and cannot be renewed without the user),
//! and a long Test all that finished. What to say is decided here by pure functions (tested
//! below); `show` hands it to the system through tauri-plugin-notification (`show_on_desktop`
//! directly, for the agent, which has no window). Texts hold a
//! profile's label and the core's error message, which never holds a secret.

use std::collections::HashSet;
use std::time::Duration;

use oauthdesk_core::TestAll;

/// A Test all shorter than this is watched to its end: no notification.
pub const LONG_TEST_ALL: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub title: String,
    pub body: String,
}

/// Which profiles were told about a failed renewal: each is told once, until a renewal of
/// it works again (a renewal round runs every 20 s; a notification each round would be noise).
#[derive(Debug, Default)]
pub struct RenewalNotes {
    told: HashSet<String>,
}

impl RenewalNotes {
    /// What to say after renewing `handle` (labelled `label`): `Err(message)` when it failed.
    pub fn after(&mut self, handle: &str, label: &str, outcome: Result<(), String>) -> Option<Note> {
        match outcome {
            Ok(()) => {
                self.told.remove(handle);
                None
            }
            Err(_) if self.told.contains(handle) => None,
            Err(message) => {
                self.told.insert(handle.to_string());
                Some(Note {
                    title: format!("{label}: the token could not be renewed"),
                    body: format!("{message}\nIt will expire soon. Open OAuth Desk and Diagnose {label} to see why."),
                })
            }
        }
    }
}

/// A failure in a notification's words: the cause, what happened, the provider's own words
/// and the first step of the fix.
pub fn failure_text(f: &oauthdesk_core::Failure) -> String {
    let mut parts = vec![f.cause.clone()];
    parts.extend(f.detail.clone());
    parts.extend(f.provider_words.as_ref().map(|w| format!("The provider said: {w}.")));
    parts.extend(f.fix.first().map(|s| format!("To fix: {s}")));
    parts.join(" ")
}

/// What to say when Test all finished after `took`: nothing when it was short.
pub fn test_all_done(result: &TestAll, took: Duration) -> Option<Note> {
    if took < LONG_TEST_ALL {
        return None;
    }
    let title =
        if result.failed == 0 { "Test all: every profile passed".to_string() } else { format!("Test all: {} failing", result.failed) };
    let mut body = format!("{} ok, {} failing, in {} s.", result.ok, result.failed, took.as_secs());
    let failing: Vec<&str> = result.results.iter().filter(|r| !r.ok).map(|r| r.handle.as_str()).take(3).collect();
    if !failing.is_empty() {
        body.push_str(&format!(" Failing: {}", failing.join(", ")));
        if result.failed > failing.len() {
            body.push_str(&format!(" and {} more", result.failed - failing.len()));
        }
        body.push('.');
    }
    Some(Note { title, body })
}

/// Shows a note on the desktop; a system without a notification service only logs it.
pub fn show<R: tauri::Runtime>(app: &tauri::AppHandle<R>, note: &Note) {
    use tauri::Manager as _;
    use tauri_plugin_notification::NotificationExt as _;
    tracing::info!(title = %note.title, "notification");
    // Without the plugin (tauri's mock runtime in tests) there is nobody to tell.
    if app.try_state::<tauri_plugin_notification::Notification<R>>().is_none() {
        return;
    }
    if let Err(e) = app.notification().builder().title(&note.title).body(&note.body).show() {
        tracing::warn!(error = %e, "the notification could not be shown");
    }
}

/// Shows a note on the desktop from a process without a window (the agent), through the
/// same notification service the window's plugin uses; a system without one only logs it.
pub fn show_on_desktop(note: &Note) {
    tracing::info!(title = %note.title, "notification");
    let shown = notify_rust::Notification::new().appname("OAuth Desk").summary(&note.title).body(&note.body).show();
    if let Err(e) = shown {
        tracing::warn!(error = %e, "the notification could not be shown");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oauthdesk_core::TestOutcome;

    #[test]
    fn a_failed_renewal_is_told_once_until_it_works_again() {
        let mut notes = RenewalNotes::default();
        let first = notes.after("crm", "CRM", Err("The refresh token was refused.".into())).expect("told");
        assert_eq!(first.title, "CRM: the token could not be renewed");
        assert!(first.body.starts_with("The refresh token was refused."));
        assert_eq!(notes.after("crm", "CRM", Err("again".into())), None, "not every round");
        assert!(notes.after("erp", "ERP", Err("down".into())).is_some(), "another profile is told");
        assert_eq!(notes.after("crm", "CRM", Ok(())), None);
        assert!(notes.after("crm", "CRM", Err("refused".into())).is_some(), "told again after it worked");
    }

    /// A renewal's notice says what every failure says: the cause, what happened when no
    /// provider answered, the provider's own words apart, and the first step of the fix.
    #[test]
    fn a_failed_renewal_says_the_cause_and_the_fix() {
        let failure = |detail: Option<&str>, words: Option<&str>, fix: &[&str]| oauthdesk_core::Failure {
            at: chrono::Utc::now(),
            stage: None,
            step: "while renewing the token with the refresh token".into(),
            status: None,
            cause: "The refresh token was refused.".into(),
            fix: fix.iter().map(|s| s.to_string()).collect(),
            need: None,
            provider_words: words.map(str::to_string),
            detail: detail.map(str::to_string),
            provider: None,
            knowledge: None,
            source: None,
        };
        assert_eq!(
            failure_text(&failure(None, Some("invalid_grant: expired"), &["Authorize again.", "Then test."])),
            "The refresh token was refused. The provider said: invalid_grant: expired. To fix: Authorize again."
        );
        assert_eq!(
            failure_text(&failure(Some("cannot reach 127.0.0.1"), None, &[])),
            "The refresh token was refused. cannot reach 127.0.0.1"
        );
    }

    fn outcome(handle: &str, ok: bool) -> TestOutcome {
        let cause = (!ok).then(|| "The client secret was refused.".to_string());
        TestOutcome {
            handle: handle.into(),
            ok,
            status: Some(if ok { 200 } else { 401 }),
            elapsed_ms: 5,
            cause,
            knowledge: None,
            failure: None,
            at: chrono::Utc::now(),
        }
    }

    #[test]
    fn only_a_long_test_all_is_told_with_its_failures() {
        let results: Vec<TestOutcome> = (0..6).map(|i| outcome(&format!("p{i}"), i % 2 == 0)).collect();
        let all = TestAll { ok: 3, failed: 3, results };
        assert_eq!(test_all_done(&all, Duration::from_secs(3)), None);
        let note = test_all_done(&all, Duration::from_secs(42)).expect("told");
        assert_eq!(note.title, "Test all: 3 failing");
        assert_eq!(note.body, "3 ok, 3 failing, in 42 s. Failing: p1, p3, p5.");
        let passed = TestAll { ok: 2, failed: 0, results: vec![outcome("a", true), outcome("b", true)] };
        assert_eq!(test_all_done(&passed, LONG_TEST_ALL).expect("told").title, "Test all: every profile passed");
    }
}
