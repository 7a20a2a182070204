//! The words and rules of a connection's shown results: where a stage failed, in plain
//! words, and when a result shown earlier has been made old by a newer one.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::{ConnectionState, Stage};

/// A result shown earlier that a newer one has made old.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Newer {
    /// A token was obtained since: the connection worked after it.
    Connected,
    /// Another attempt was made since (and failed, or only tested).
    Attempt,
}

/// Where a stage fails, in plain words.
pub fn step(stage: Option<Stage>) -> &'static str {
    match stage {
        Some(Stage::Authorize) => "while signing in at the provider",
        Some(Stage::Token) | None => "while asking the provider for a token",
        Some(Stage::Refresh) => "while renewing the token with the refresh token",
        Some(Stage::Introspect) => "while asking the provider when the token expires",
        Some(Stage::Test) => "when the API was called with the token",
        Some(Stage::Revoke) => "while revoking the token at the provider",
        Some(Stage::Discovery) => "while reading the provider's published settings",
    }
}

/// What makes a result from `at` old: a token obtained after it, else any attempt after it.
/// The result is shown still, marked with its time and what came since.
pub fn newer_than(at: DateTime<Utc>, state: &ConnectionState) -> Option<Newer> {
    if state.connected_at.is_some_and(|t| t > at) {
        Some(Newer::Connected)
    } else if state.last_attempt_at.is_some_and(|t| t > at) {
        Some(Newer::Attempt)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ConnectionStatus;
    use chrono::Duration;

    fn state(connected: Option<i64>, attempt: Option<i64>, now: DateTime<Utc>) -> ConnectionState {
        ConnectionState {
            state: ConnectionStatus::Connected,
            expires_at: None,
            connected_at: connected.map(|s| now + Duration::seconds(s)),
            last_attempt_at: attempt.map(|s| now + Duration::seconds(s)),
            last_error: None,
            certificate_expires_at: None,
            expiring_soon: false,
            expiring_soon_at: None,
            certificate_days_left: None,
            certificate_expiring: false,
        }
    }

    /// A result is old exactly when something happened after it: a token obtained after it
    /// says the connection worked since; any other later attempt says only that it was tried.
    #[test]
    fn a_result_is_old_once_something_newer_exists() {
        let now = Utc::now();
        let times = [None, Some(-60), Some(-1), Some(0), Some(1), Some(60)];
        for connected in times {
            for attempt in times {
                let s = state(connected, attempt, now);
                let expected = match (connected, attempt) {
                    (Some(c), _) if c > 0 => Some(Newer::Connected),
                    (_, Some(a)) if a > 0 => Some(Newer::Attempt),
                    _ => None,
                };
                assert_eq!(newer_than(now, &s), expected, "connected {connected:?}, attempt {attempt:?}");
            }
        }
    }

    #[test]
    fn every_stage_has_plain_words_without_its_name() {
        for stage in Stage::ALL {
            let words = step(Some(stage));
            assert!(words.contains(' ') && !words.contains('_'), "{stage}: {words}");
        }
    }
}
