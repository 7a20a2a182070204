//! `diagnose`: walk a profile through every stage and say what is wrong and how to fix it.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use oauthdesk_core::Desk;
use oauthdesk_core::Diagnosis;
use oauthdesk_core::MAX_PASTE;
use oauthdesk_core::{explain_error, Explanation};

use super::block_on;
use super::Out;
use crate::error::AppResult;

#[derive(Args, Debug)]
pub struct DiagnoseArgs {
    /// The profile's handle
    pub handle: String,
    /// Also write a Markdown support report (no secrets) to this file
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Also write a case file (JSON, no secrets or tokens) that `replay` diagnoses again
    /// anywhere, offline
    #[arg(long, value_name = "FILE")]
    pub case: Option<PathBuf>,
}

/// Exit status 0 for a healthy profile, 1 when a stage fails.
pub fn diagnose(desk: &Desk, out: &Out, a: DiagnoseArgs) -> AppResult<i32> {
    let d: Diagnosis = block_on(desk.diagnose(&a.handle))??;
    if let Some(path) = &a.report {
        oauthdesk_core::write_file(path, &desk.report(&d)?)?;
    }
    if let Some(path) = &a.case {
        oauthdesk_core::write_file(path, &desk.case(&d)?)?;
    }
    out.print(&d, || {
        let mut s = text(&d, a.report.as_ref());
        if let Some(p) = &a.case {
            let _ = writeln!(s, "Case file (no secrets): {}", p.display());
        }
        s
    });
    Ok(if d.ok { 0 } else { 1 })
}

pub(super) fn text(d: &Diagnosis, report: Option<&PathBuf>) -> String {
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
            if let Some(p) = &d.provider {
                let _ = writeln!(s, "\nProvider: {p}");
            }
            let _ = writeln!(s, "\nCause: {cause}\nFix:");
            for (i, step) in d.fix.iter().enumerate() {
                let _ = writeln!(s, "  {}. {step}", i + 1);
            }
            if let Some(src) = &d.source {
                let _ = writeln!(s, "Learn more: {src}");
            }
            if !d.ranking.is_empty() {
                let _ = writeln!(s, "\nCauses ranked from this computer's history:");
                for line in oauthdesk_core::ranking_lines(&d.ranking) {
                    let _ = writeln!(s, "{line}");
                }
            }
        }
        None => {
            let _ = writeln!(s, "\n{}", d.summary);
        }
    }
    if let Some(p) = report {
        let _ = writeln!(s, "\nSupport report (no secrets): {}", p.display());
    }
    s
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The error as the integration logged it; read from standard input when absent or "-"
    pub text: Option<String>,
    /// The provider that answered, when the text does not say (e.g. okta, entra, salesforce)
    #[arg(long)]
    pub provider: Option<String>,
}

/// Exit status 0 when the error is explained, 1 when OAuth Desk does not know it.
pub fn explain(out: &Out, a: ExplainArgs) -> AppResult<i32> {
    let text = match a.text.filter(|t| t != "-") {
        Some(t) => t,
        None => {
            use std::io::Read as _;
            let mut buf = Vec::new();
            std::io::stdin().take(MAX_PASTE as u64).read_to_end(&mut buf).map_err(oauthdesk_core::Error::from)?;
            String::from_utf8_lossy(&buf).into_owned()
        }
    };
    let e = explain_error(&text, a.provider.as_deref())?;
    out.print(&e, || explanation_text(&e));
    // A bare "OAUTH ERROR" gets the usual causes, not an explanation: 1, as for an unknown one.
    Ok(if (e.knowledge.is_some() && !e.diagnose_next) || e.status.is_some_and(|s| s == 429 || s >= 500) { 0 } else { 1 })
}

fn explanation_text(e: &Explanation) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Provider: {}", e.provider.as_deref().unwrap_or("not recognised (generic OAuth rules apply)"));
    if let Some(stage) = e.stage {
        let _ = writeln!(s, "Stage:    {stage}");
    }
    if let Some(status) = e.status {
        let _ = writeln!(s, "Status:   HTTP {status}");
    }
    if let Some(err) = &e.error {
        let _ = writeln!(s, "Error:    {err}{}", e.error_description.as_deref().map(|d| format!(": {d}")).unwrap_or_default());
    }
    if !e.scopes.is_empty() {
        let _ = writeln!(s, "Scopes:   {}", e.scopes.join(" "));
    }
    let _ = writeln!(s, "\nCause: {}\nFix:", e.cause);
    for (i, step) in e.fix.iter().enumerate() {
        let _ = writeln!(s, "  {}. {step}", i + 1);
    }
    if let Some(src) = &e.source {
        let _ = writeln!(s, "Learn more: {src}");
    }
    if e.diagnose_next {
        let _ = writeln!(s, "\nNext: diagnose the integration's profile (`oauthdesk diagnose HANDLE`), or create one with its settings first (`oauthdesk add`).");
    }
    s
}
