//! The Markdown support report of a diagnosis.

use std::fmt::Write as _;

use super::Diagnosis;
use crate::model::{Profile, SecretState};

pub fn markdown(p: &Profile, d: &Diagnosis) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# OAuth Desk diagnosis: {} ({})\n", p.label, p.handle);
    let _ = writeln!(s, "- When: {}", d.at.to_rfc3339());
    let _ = writeln!(s, "- OAuth Desk: {}", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(
        s,
        "- Result: {}\n",
        if d.ok { "healthy".to_string() } else { format!("failed at {}", d.stage.as_deref().unwrap_or("?")) }
    );
    if let Some(cause) = &d.cause {
        let _ = writeln!(s, "## Cause\n\n{cause}\n");
        if let (Some(e), desc) = (&d.error, &d.error_description) {
            let _ = writeln!(s, "Provider's answer: `{e}`{}\n", desc.as_deref().map(|d| format!(": {d}")).unwrap_or_default());
        }
        let _ = writeln!(s, "## Fix\n");
        for (i, step) in d.fix.iter().enumerate() {
            let _ = writeln!(s, "{}. {step}", i + 1);
        }
        s.push('\n');
    }
    if !d.ranking.is_empty() {
        let _ = writeln!(s, "## Ranked causes\n");
        for line in super::ranking::lines(&d.ranking) {
            let _ = writeln!(s, "{line}");
        }
        s.push('\n');
    }
    let _ = writeln!(s, "## Stages\n\n| | stage | finding |\n|---|---|---|");
    for st in &d.stages {
        let mark = st.mark();
        let _ = writeln!(s, "| {mark} | {} | {} |", st.title, st.finding.replace('|', "\\|"));
        for n in &st.notes {
            let _ = writeln!(s, "| | | note: {} |", n.replace('|', "\\|"));
        }
    }
    let _ = writeln!(s, "\n## Profile (no secrets)\n\n- template: {}", p.template);
    for (k, v) in &p.fields {
        let _ = writeln!(s, "- {k}: {v}");
    }
    let _ = writeln!(s, "- client_secret: {}\n", if p.client_secret == SecretState::Set { "set" } else { "not set" });
    let _ = writeln!(s, "## HTTP trace (redacted)\n");
    for t in &d.trace {
        let _ = writeln!(s, "### {} {} {}\n\n```http", t.stage, t.method, t.url);
        let _ = writeln!(s, "{} {}", t.method, t.url);
        for (k, v) in &t.request_headers {
            let _ = writeln!(s, "{k}: {v}");
        }
        if let Some(b) = &t.request_body {
            let _ = writeln!(s, "\n{b}");
        }
        let _ = writeln!(s, "```\n\n```http");
        match t.status {
            Some(status) => {
                let _ = writeln!(s, "HTTP {status} ({} ms)", t.elapsed_ms);
            }
            None => {
                let _ = writeln!(s, "no answer: {}", t.error.as_deref().unwrap_or("?"));
            }
        }
        for (k, v) in &t.response_headers {
            let _ = writeln!(s, "{k}: {v}");
        }
        if let Some(b) = &t.response_body {
            let _ = writeln!(s, "\n{b}");
        }
        let _ = writeln!(s, "```\n");
    }
    s
}
