//! `team init|sync|export`: profiles as code, in a team folder kept in Git.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use oauthdesk_core::{Desk, SyncOptions, SyncOutcome, SyncReport};

use super::Out;
use crate::error::AppResult;

#[derive(Subcommand, Debug)]
pub enum TeamCommand {
    /// Make DIR a team folder (writes its oauthdesk-team.json; a folder that already is one is left as it is)
    Init {
        /// The folder (made if missing), usually inside the team's Git repository
        dir: PathBuf,
    },
    /// Add, change and remove the profiles from DIR to match it, one line per profile; exit 3
    /// when a profile waits for a confirmation or conflicts with one of this desktop's own
    Sync(SyncArgs),
    /// Write profiles into DIR, one file each, without secrets (every profile when only DIR is given)
    Export(ExportArgs),
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The team folder
    pub dir: PathBuf,
    /// Confirm that credentials may go where the folder now points them (a moved token or
    /// test URL); without it, on a terminal, you are asked, else such a profile is left as it was
    #[arg(long)]
    pub yes: bool,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The handles of the profiles to write, then the team folder
    #[arg(value_name = "H... DIR", required = true, num_args = 1..)]
    pub args: Vec<String>,
}

/// Runs a `team` command; the exit code.
pub fn team(desk: &Desk, out: &Out, cmd: TeamCommand) -> AppResult<i32> {
    match cmd {
        TeamCommand::Init { dir } => {
            let r = oauthdesk_core::team::init(&dir)?;
            out.print(&r, || {
                if r.created {
                    format!("Made {} a team folder: export profiles into it (oauthdesk team export H... {0}) and commit it.", r.dir)
                } else {
                    format!("{} already is a team folder; nothing was written.", r.dir)
                }
            });
            Ok(0)
        }
        TeamCommand::Sync(a) => sync(desk, out, a),
        TeamCommand::Export(a) => export(desk, out, a),
    }
}

fn sync(desk: &Desk, out: &Out, a: SyncArgs) -> AppResult<i32> {
    let mut report = desk.team_sync(&a.dir, SyncOptions { confirm_moved: a.yes })?;
    if report.count(SyncOutcome::NeedsConfirmation) > 0 && !a.yes && ask_to_confirm(out, &report)? {
        report = desk.team_sync(&a.dir, SyncOptions { confirm_moved: true })?;
    }
    out.print(&report, || lines(&report));
    Ok(if report.pending() { 3 } else { 0 })
}

/// The report, one line per profile, then what is left to do.
fn lines(r: &SyncReport) -> String {
    let mut s = match &r.commit {
        Some(c) => format!("Synced {} at commit {}:\n", r.dir, c.get(..12).unwrap_or(c)),
        None => format!("Synced {} (not in a Git work tree):\n", r.dir),
    };
    if r.entries.is_empty() {
        s.push_str("  the folder holds no profile\n");
    }
    for e in &r.entries {
        let changed = if e.changed.is_empty() { String::new() } else { format!(" ({})", e.changed.join(", ")) };
        let why = match e.outcome {
            SyncOutcome::NeedsConfirmation | SyncOutcome::Conflict => format!(": {}", e.why),
            _ => String::new(),
        };
        let _ = writeln!(s, "  {:<19} {}{changed}{why}", e.outcome.label(), e.handle);
    }
    if r.count(SyncOutcome::NeedsConfirmation) > 0 {
        let _ = writeln!(s, "If you expected these moves, confirm them with: oauthdesk team sync {} --yes", r.dir);
    }
    s
}

/// On a terminal (and not for `--json`), lists the moves and asks whether credentials may go there.
fn ask_to_confirm(out: &Out, r: &SyncReport) -> AppResult<bool> {
    if out.json || !super::interactive() {
        return Ok(false);
    }
    let mut question = String::from("The team folder moves where credentials go:\n");
    for e in r.entries.iter().filter(|e| e.outcome == SyncOutcome::NeedsConfirmation) {
        let _ = writeln!(question, "  - {}: {}", e.handle, e.why);
    }
    question.push_str("Send them there? [y/N] ");
    super::emit_err(&question);
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

fn export(desk: &Desk, out: &Out, a: ExportArgs) -> AppResult<i32> {
    let mut args = a.args;
    let dir = PathBuf::from(args.pop().unwrap_or_default());
    let r = desk.team_export(&args, &dir)?;
    out.print(&r, || {
        let mut s = format!("Wrote {} profile file(s) into {} (no secret, no token):\n", r.files.len(), r.dir);
        for f in &r.files {
            let _ = writeln!(s, "  {}", f.file);
        }
        let typed: Vec<&str> = r.files.iter().filter(|f| f.secret_left_out).map(|f| f.handle.as_str()).collect();
        if !typed.is_empty() {
            let _ = writeln!(
                s,
                "Not written: the typed secret of {}. Each user types their own (oauthdesk edit H --secret-stdin) or the team \
                 names a reference (oauthdesk edit H --set secret_ref=REF).",
                typed.join(", ")
            );
        }
        s.push_str("Commit the folder to share them.");
        s
    });
    Ok(0)
}
