//! Opening the system browser for a sign-in (RFC 8252: never an embedded web view).
//! `OAUTHDESK_BROWSER=none` turns it off (headless machines, tests); the URL is always shown
//! too, so a person can open it by hand.

use url::Url;

pub const BROWSER_ENV: &str = "OAUTHDESK_BROWSER";

/// Opens `url` in the default browser unless turned off; says whether it tried.
pub fn open(url: &Url) -> bool {
    if std::env::var(BROWSER_ENV).is_ok_and(|v| v == "none") {
        return false;
    }
    match open::that_detached(url.as_str()) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "could not open the browser");
            false
        }
    }
}
