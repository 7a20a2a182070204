//! `replay`: a case file diagnosed again, offline, against the local player.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::PathBuf;

use clap::Args;
use oauthdesk_core::{Case, CaseReplay, MAX_CASE_BYTES};

use super::block_on;
use super::Out;
use crate::error::AppResult;

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The case file (written by `diagnose HANDLE --case FILE` or the window's Save case)
    pub file: PathBuf,
}

/// Reads a case file, at most [`MAX_CASE_BYTES`] of it (a larger file is refused by
/// [`Case::parse`]).
pub(crate) fn read_case(path: &std::path::Path) -> AppResult<Case> {
    let named =
        |e: std::io::Error| oauthdesk_core::Error::Io(std::io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display())));
    let file = std::fs::File::open(path).map_err(named)?;
    let mut text = String::new();
    file.take(MAX_CASE_BYTES + 1).read_to_string(&mut text).map_err(named)?;
    Ok(Case::parse(&text)?)
}

/// The replayed diagnosis, as `diagnose` prints it (`--json`: the same JSON). Exit status 0
/// for a healthy profile, 1 when a stage fails.
pub fn replay(out: &Out, a: ReplayArgs) -> AppResult<i32> {
    let case = read_case(&a.file)?;
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
