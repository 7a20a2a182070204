//! `diagnose`: walk a profile through every stage and say what is wrong and how to fix it.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use oauthdesk_core::diagnose::Diagnosis;
use oauthdesk_core::Desk;

use super::connect::block_on;
use super::Out;
use crate::error::AppResult;

#[derive(Args, Debug)]
pub struct DiagnoseArgs {
    /// The profile's handle
    pub handle: String,
    /// Also write a Markdown support report (no secrets) to this file
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

/// Exit status 0 for a healthy profile, 1 when a stage fails.
pub fn diagnose(desk: &Desk, out: &Out, a: DiagnoseArgs) -> AppResult<i32> {
    let d: Diagnosis = block_on(desk.diagnose(&a.handle))??;
    if let Some(path) = &a.report {
        oauthdesk_core::transfer::write_file(path, &desk.report(&d)?)?;
    }
    out.print(&d, || text(&d, a.report.as_ref()));
    Ok(if d.ok { 0 } else { 1 })
}

fn text(d: &Diagnosis, report: Option<&PathBuf>) -> String {
    let mut s = String::new();
    for st in &d.stages {
        let mark = st.mark();
        let _ = writeln!(s, "{mark} {:<20} {}", st.title, st.finding);
        for n in &st.notes {
            let _ = writeln!(s, "  {:<20} {n}", "");
        }
    }
    match &d.cause {
        Some(cause) => {
            let _ = writeln!(s, "\nCause: {cause}\nFix:");
            for (i, step) in d.fix.iter().enumerate() {
                let _ = writeln!(s, "  {}. {step}", i + 1);
            }
        }
        None => s.push_str("\nHealthy: every stage passed.\n"),
    }
    if let Some(p) = report {
        let _ = writeln!(s, "\nSupport report (no secrets): {}", p.display());
    }
    s
}
