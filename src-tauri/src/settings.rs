//! The limits a person can set, read from the environment in this one place for both front
//! ends (the command line and the window) before anything else is done. The core keeps its
//! own defaults; a front end gives it only what was set. A value that is not a whole number
//! within its range stops the process with an error naming the setting and its range, before
//! any file is written.

use std::ffi::OsString;
use std::time::Duration;

use oauthdesk_core::Keyring;
use oauthdesk_core::KEYRING_TIMEOUT;
use oauthdesk_core::{set_history_retention, Retention};

use crate::error::AppResult;
use crate::rotating::Rotation;

/// One setting: its environment variable, what it counts, its range and its default.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub name: &'static str,
    /// What the number is, in words, for the error message.
    pub counts: &'static str,
    pub min: u64,
    pub max: u64,
    pub default: u64,
}

/// The largest a log file grows before it is rotated.
pub const LOG_MAX_BYTES: Setting = Setting {
    name: "OAUTHDESK_LOG_MAX_BYTES",
    counts: "the bytes a log file may hold",
    min: 64 * 1024,
    max: 1024 * 1024 * 1024,
    default: Rotation::DEFAULT.max_bytes,
};

/// How many rotated log files are kept beside the current one.
pub const LOG_FILES: Setting = Setting {
    name: "OAUTHDESK_LOG_FILES",
    counts: "the older log files kept",
    min: 1,
    max: Rotation::MOST_FILES as u64,
    default: Rotation::DEFAULT.files as u64,
};

/// How many attempts each profile's history keeps.
pub const HISTORY_KEEP: Setting = Setting {
    name: "OAUTHDESK_HISTORY_KEEP",
    counts: "the attempts kept per profile",
    min: 10,
    max: 1_000_000,
    default: Retention::DEFAULT.attempts as u64,
};

/// How many days of attempts each profile's history keeps.
pub const HISTORY_DAYS: Setting = Setting {
    name: "OAUTHDESK_HISTORY_DAYS",
    counts: "the days of attempts kept",
    min: 1,
    max: 36_500,
    default: Retention::DEFAULT.days as u64,
};

/// How long one call to the OS keyring may take.
pub const KEYRING_TIMEOUT_SECS: Setting = Setting {
    name: "OAUTHDESK_KEYRING_TIMEOUT",
    counts: "the seconds a keyring call may take",
    min: 1,
    max: 600,
    default: KEYRING_TIMEOUT.as_secs(),
};

/// Every setting, as documented.
pub const ALL: [Setting; 5] = [LOG_MAX_BYTES, LOG_FILES, HISTORY_KEEP, HISTORY_DAYS, KEYRING_TIMEOUT_SECS];

/// The most of a bad value the error repeats.
const SHOWN_CHARS: usize = 40;

impl Setting {
    /// The value set, or the default when it is unset or empty.
    fn read(&self, value: Option<OsString>) -> AppResult<u64> {
        let Some(raw) = value else { return Ok(self.default) };
        let text = raw.to_string_lossy();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(self.default);
        }
        match trimmed.parse::<u64>() {
            Ok(n) if (self.min..=self.max).contains(&n) && trimmed.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
            _ => Err(self.error(trimmed)),
        }
    }

    /// The error for a value that is not a whole number within the range.
    pub fn error(&self, value: &str) -> crate::error::AppError {
        let mut shown: String = value.chars().take(SHOWN_CHARS).collect();
        if value.chars().nth(SHOWN_CHARS).is_some() {
            shown.push('…');
        }
        oauthdesk_core::Error::invalid(
            self.name,
            format!(
                "must be a whole number from {} to {} ({}), not '{shown}'; set one in that range, or unset it for the default, {}",
                self.min, self.max, self.counts, self.default
            ),
        )
        .into()
    }
}

/// What the settings say, each checked against its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub log: Rotation,
    pub history: Retention,
    pub keyring_timeout: Duration,
}

impl Settings {
    /// The settings in this process's environment.
    pub fn from_env() -> AppResult<Settings> {
        Settings::read(|name| std::env::var_os(name))
    }

    /// The settings `lookup` gives by name (the first bad one is the error).
    pub fn read(lookup: impl Fn(&str) -> Option<OsString>) -> AppResult<Settings> {
        let get = |s: Setting| s.read(lookup(s.name));
        // Each value is within its range, and every range fits a u32.
        let narrow = |s: Setting| -> AppResult<u32> {
            let n = get(s)?;
            u32::try_from(n).map_err(|_| s.error(&n.to_string()))
        };
        Ok(Settings {
            log: Rotation { max_bytes: get(LOG_MAX_BYTES)?, files: narrow(LOG_FILES)? },
            history: Retention { attempts: narrow(HISTORY_KEEP)?, days: narrow(HISTORY_DAYS)? },
            keyring_timeout: Duration::from_secs(get(KEYRING_TIMEOUT_SECS)?),
        })
    }

    /// Gives the core what it keeps for the whole process (the history's retention).
    pub fn apply(&self) {
        set_history_retention(self.history);
    }

    /// The OS keyring, each call given the time set.
    pub fn keyring(&self) -> Keyring {
        Keyring::default().with_timeout(self.keyring_timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: &str, value: &str) -> AppResult<Settings> {
        let (name, value) = (name.to_string(), value.to_string());
        Settings::read(move |n| (n == name).then(|| OsString::from(value.clone())))
    }

    #[test]
    fn unset_is_every_default() {
        let s = Settings::read(|_| None).unwrap();
        assert_eq!(s.log, Rotation::DEFAULT);
        assert_eq!(s.history, Retention::DEFAULT);
        assert_eq!(s.keyring_timeout, KEYRING_TIMEOUT);
        assert_eq!(with(HISTORY_KEEP.name, " ").unwrap(), s, "empty is unset");
    }

    /// Every setting at its edges, and generated bad values: inside the range it is read,
    /// outside (or not a whole number) the error names the setting and its range.
    #[test]
    fn every_setting_is_read_within_its_range_only() {
        for s in ALL {
            for good in [s.min, s.max, s.default, s.min + (s.max - s.min) / 3] {
                let read = with(s.name, &format!(" {good}\n")).unwrap();
                let got = match s.name {
                    "OAUTHDESK_LOG_MAX_BYTES" => read.log.max_bytes,
                    "OAUTHDESK_LOG_FILES" => u64::from(read.log.files),
                    "OAUTHDESK_HISTORY_KEEP" => u64::from(read.history.attempts),
                    "OAUTHDESK_HISTORY_DAYS" => u64::from(read.history.days),
                    _ => read.keyring_timeout.as_secs(),
                };
                assert_eq!(got, good, "{}", s.name);
            }
            let bad = [
                (s.min - 1).to_string(),
                (s.max + 1).to_string(),
                u64::MAX.to_string(),
                "18446744073709551616".to_string(),
                "99999999999999999999999999999999".to_string(),
                format!("-{}", s.min),
                format!("+{}", s.min),
                format!("{}.5", s.min),
                format!("{}e3", s.min),
                format!("{} MiB", s.min),
                "0x10".into(),
                "abc".into(),
                "１０".into(),
                "\u{1b}[31m12".into(),
                "x".repeat(500),
            ];
            for value in bad {
                let e = with(s.name, &value).unwrap_err();
                let text = e.to_string();
                assert!(text.starts_with(&format!("{}: ", s.name)), "{text}");
                assert!(text.contains(&format!("from {} to {}", s.min, s.max)), "{text}");
                assert_eq!(e.exit_code(), 2, "{text}");
                assert_eq!(e.payload().field.as_deref(), Some(s.name));
                assert!(text.chars().count() < 300, "a long value is cut: {text}");
            }
        }
    }
}
