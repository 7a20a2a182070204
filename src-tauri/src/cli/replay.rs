//! `replay`: a case file diagnosed again, offline, against the local player.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use oauthdesk_core::{Case, CaseReplay};

use super::block_on;
use super::Out;
use crate::error::AppResult;

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The case file (written by `diagnose HANDLE --case FILE` or the window's Save case)
    pub file: PathBuf,
}

/// The replayed diagnosis, as `diagnose` prints it (`--json`: the same JSON). Exit status 0
/// for a healthy profile, 1 when a stage fails.
pub fn replay(out: &Out, a: ReplayArgs) -> AppResult<i32> {
    let case = Case::read(&a.file)?;
    let r: CaseReplay = block_on(oauthdesk_sandbox::replay::replay(&case, &std::env::temp_dir()))??;
    let d = &r.diagnosis;
    out.print(d, || {
        let mut s = format!("Replayed offline from {} (recorded {})\n", a.file.display(), r.written_at.format("%Y-%m-%d %H:%M UTC"));
        if !r.same_knowledge {
            let _ =
                writeln!(s, "Recorded with knowledge base {}; this OAuth Desk has {}.", r.knowledge, oauthdesk_core::knowledge_version());
        }
        s.push('\n');
        s.push_str(&super::diagnose::text(d, None));
        s
    });
    Ok(if d.ok { 0 } else { 1 })
}
