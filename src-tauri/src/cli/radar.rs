//! `oauthdesk radar`: the profiles a dated provider change or a known limit will break, as
//! the core lists them; with `--json`, `{ "warnings": [...] }`.

use std::fmt::Write as _;

use oauthdesk_core::{Desk, Radar, RadarWarning};

use super::Out;
use crate::error::AppResult;

/// The exit status when the radar lists a warning (0 when it lists none): a script can
/// tell "something will break" from a failure to run (1, 2).
pub const WARNINGS_EXIT: i32 = 3;

pub fn radar(desk: &Desk, out: &Out) -> AppResult<i32> {
    let r = desk.radar(chrono::Utc::now())?;
    out.print(&r, || if r.warnings.is_empty() { "Nothing on the radar: no profile is known to break.".into() } else { text(&r.warnings) });
    Ok(if r.warnings.is_empty() { 0 } else { WARNINGS_EXIT })
}

/// The warnings as lines: the handle and date, then why, the fix and the source, indented.
pub fn text(warnings: &[RadarWarning]) -> String {
    let mut s = String::new();
    for w in warnings {
        let date = w.date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "no date".into());
        let _ = writeln!(s, "! {} ({date}, {})\n    why: {}\n    fix: {}\n    source: {}", w.handle, w.kind, w.why, w.fix, w.source);
    }
    s
}

/// What `test --all` adds: the radar, read once after the tests.
pub fn for_test_all(desk: &Desk) -> AppResult<Radar> {
    Ok(desk.radar(chrono::Utc::now())?)
}
