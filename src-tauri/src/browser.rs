//! Opening the system browser for a sign-in (RFC 8252: never an embedded web view). The URL
//! is always shown too, so a person can open it by hand.
//!
//! `OAUTHDESK_BROWSER` picks the browser: `none` turns it off (headless machines), anything
//! else is a command run with the URL (`%s` in it is replaced, else the URL is its last
//! argument), e.g. `firefox --private-window`. Without it, `BROWSER` is honoured as other
//! tools do (commands separated by `:`, tried in turn), then the desktop's default browser.

use std::process::{Command, Stdio};

use url::Url;

pub const BROWSER_ENV: &str = "OAUTHDESK_BROWSER";

/// A browser command and its arguments for `url`, from one command line (no shell: words
/// split on whitespace).
fn command_for(line: &str, url: &str) -> Option<(String, Vec<String>)> {
    let mut words = line.split_whitespace().map(str::to_string);
    let program = words.next()?;
    let mut args: Vec<String> = words.collect();
    if args.iter().any(|a| a.contains("%s")) {
        for a in &mut args {
            *a = a.replace("%s", url);
        }
    } else {
        args.push(url.to_string());
    }
    Some((program, args))
}

fn spawn(program: &str, args: &[String]) -> bool {
    match Command::new(program).args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn() {
        Ok(mut child) => {
            // Reaped in the background; the browser outlives the wait if it must.
            std::thread::spawn(move || child.wait());
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, program, "could not start the browser");
            false
        }
    }
}

/// Opens `url` as the environment says; says whether it tried.
pub fn open(url: &Url) -> bool {
    let url = url.as_str();
    match std::env::var(BROWSER_ENV).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
        Some(v) if v == "none" => return false,
        Some(v) => return command_for(&v, url).is_some_and(|(p, a)| spawn(&p, &a)),
        None => {}
    }
    if let Ok(list) = std::env::var("BROWSER") {
        for line in list.split(':').filter(|l| !l.trim().is_empty()) {
            if command_for(line, url).is_some_and(|(p, a)| spawn(&p, &a)) {
                return true;
            }
        }
    }
    match open::that_detached(url) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "could not open the browser");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::command_for;

    #[test]
    fn a_browser_command_gets_the_url() {
        let u = "https://idp.example/authorize?x=1";
        assert_eq!(command_for("firefox --private-window", u), Some(("firefox".into(), vec!["--private-window".into(), u.into()])));
        assert_eq!(
            command_for("open -a Safari %s --new", u),
            Some(("open".into(), vec!["-a".into(), "Safari".into(), u.into(), "--new".into()]))
        );
        assert_eq!(command_for("   ", u), None);
    }
}
