//! A sync makes this desktop's profiles from a team folder match the folder: it adds the
//! profiles the folder has and the store lacks, changes those whose definition changed, and
//! removes those the folder no longer has (with their secrets and tokens: they were the
//! team's). Every file is read and checked before anything is written, and everything is
//! written in one transaction: a bad file changes nothing.
//!
//! What a sync never does: overwrite a profile of the same handle that is not from this
//! folder (a conflict, reported by name); touch a profile from elsewhere; move an endpoint
//! where credentials go without the caller's confirmation (the same rule as an edit, see
//! [`crate::desk::origins`]: such a profile is reported and left as it was); read, write or
//! share a secret or a token (each user's stay in their own store).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::format::{self, TeamProfile};
use crate::desk::origins;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::flows::gate::Change;
use crate::model::Fields;
use crate::secret::source;
use crate::store::{self, history, Row};
use crate::template;

/// What the caller decided before the sync.
#[derive(Debug, Clone, Copy, Default, Deserialize, TS)]
#[ts(export)]
pub struct SyncOptions {
    /// The person confirmed that credentials may go where the folder now points them (a moved
    /// token URL, test URL or other endpoint); without it such a profile is left as it was.
    #[serde(default)]
    pub confirm_moved: bool,
}

/// What a sync did to one profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncOutcome {
    Added,
    Changed,
    Removed,
    Unchanged,
    /// The folder moves an endpoint where credentials go: nothing was changed until a person
    /// confirms it.
    NeedsConfirmation,
    /// A profile of this handle exists and is not from this folder: it was left alone.
    Conflict,
}

impl SyncOutcome {
    /// The outcome in a word or two.
    pub fn label(self) -> &'static str {
        match self {
            SyncOutcome::Added => "added",
            SyncOutcome::Changed => "changed",
            SyncOutcome::Removed => "removed",
            SyncOutcome::Unchanged => "unchanged",
            SyncOutcome::NeedsConfirmation => "needs confirmation",
            SyncOutcome::Conflict => "conflict",
        }
    }
}

/// One profile's line of a sync's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncEntry {
    pub handle: String,
    pub outcome: SyncOutcome,
    /// The names of what changed (`label`, a field's name, `secret_ref`); for a profile that
    /// needs confirmation, what would change.
    pub changed: Vec<String>,
    /// Why, in words.
    pub why: String,
}

/// A sync's report: one entry per profile of the folder, or once of it, by handle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncReport {
    /// The folder, as an absolute path with no link in it.
    pub dir: String,
    /// The Git commit the folder is at (none outside Git).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub entries: Vec<SyncEntry>,
}

impl SyncReport {
    /// How many entries have `outcome`.
    pub fn count(&self, outcome: SyncOutcome) -> usize {
        self.entries.iter().filter(|e| e.outcome == outcome).count()
    }

    /// Whether something is left for a person to settle (a confirmation, a conflict).
    pub fn pending(&self) -> bool {
        self.entries.iter().any(|e| matches!(e.outcome, SyncOutcome::NeedsConfirmation | SyncOutcome::Conflict))
    }
}

/// The folder as stored: absolute, links resolved. A folder that does not exist or is no
/// team folder is refused (a sync of the wrong folder would remove every profile from it).
pub(crate) fn team_dir(dir: &Path) -> Result<String> {
    let canonical = dir.canonicalize().map_err(|e| Error::invalid("dir", format!("{}: {e}", dir.display())))?;
    if !format::check_folder(&canonical)? {
        return Err(Error::invalid(
            "dir",
            format!("{} is not a team folder: it has no {}; initialise it first", canonical.display(), format::FOLDER_FILE),
        ));
    }
    Ok(canonical.to_string_lossy().to_string())
}

/// Every profile file of the folder, read and checked; the first bad one is the error.
fn read_all(dir: &Path) -> Result<BTreeMap<String, TeamProfile>> {
    let mut out = BTreeMap::new();
    for path in format::profile_files(dir)? {
        let p = format::read_profile(&path)?;
        out.insert(p.handle.clone(), p);
    }
    Ok(out)
}

/// The names of what differs between the stored row and the folder's definition.
fn differences(row: &Row, p: &TeamProfile) -> Vec<String> {
    let mut changed = Vec::new();
    if row.label != p.label {
        changed.push("label".to_string());
    }
    let mut names: Vec<&String> = row.fields.keys().chain(p.fields.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        if row.fields.get(name) != p.fields.get(name) {
            changed.push(name.clone());
        }
    }
    changed
}

/// The destinations the folder's definition would add to those waiting for confirmation.
fn moved(row: &Row, fields: &Fields) -> Vec<Change> {
    let before = origins::changes(row);
    let candidate = Row { fields: fields.clone(), ..row.clone() };
    origins::changes(&candidate).into_iter().filter(|c| !before.contains(c)).collect()
}

fn entry(handle: &str, outcome: SyncOutcome, changed: Vec<String>, why: impl Into<String>) -> SyncEntry {
    SyncEntry { handle: handle.to_string(), outcome, changed, why: why.into() }
}

impl Desk {
    /// Makes the profiles from the team folder `dir` match it, and says what happened to each.
    /// All or nothing: a bad file is the error and nothing is changed.
    #[tracing::instrument(skip(self, opts), err(level = "info"))]
    pub fn team_sync(&self, dir: &Path, opts: SyncOptions) -> Result<SyncReport> {
        let dir_text = team_dir(dir)?;
        let folder = Path::new(&dir_text);
        let wanted = read_all(folder)?;
        let commit = super::git::head_commit(folder);
        let mut entries = Vec::new();
        let mut legacy_items = Vec::new();
        {
            let mut conn = self.conn();
            let tx = store::write(&mut conn)?;
            for (handle, p) in &wanted {
                let found = match store::get(&tx, handle) {
                    Ok(row) => Some(row),
                    Err(Error::NotFound(_)) => None,
                    Err(e) => return Err(e),
                };
                let Some(row) = found else {
                    let template = template::find(&p.template)?;
                    let id = store::insert(&tx, handle, &p.label, &p.template, &p.fields)?;
                    // Who syncs a folder takes its endpoints as the team defined them.
                    store::profiles::set_confirmed(&tx, id, &crate::desk::profiles::confirmed_as_made(handle, template, &p.fields))?;
                    store::profiles::set_team(&tx, id, Some(&dir_text), commit.as_deref())?;
                    entries.push(entry(handle, SyncOutcome::Added, Vec::new(), "new in the folder"));
                    continue;
                };
                entries.push(self.sync_one(&tx, &row, p, &dir_text, commit.as_deref(), opts)?);
            }
            for row in store::profiles::in_team(&tx, &dir_text)? {
                if wanted.contains_key(&row.handle) {
                    continue;
                }
                self.forget_token(&tx, row.id, None)?;
                store::delete(&tx, row.id)?;
                legacy_items.extend(row.secret_ref.clone());
                entries.push(entry(
                    &row.handle,
                    SyncOutcome::Removed,
                    Vec::new(),
                    "no longer in the folder: removed with its secret and tokens",
                ));
            }
            tx.commit()?;
        }
        for item in legacy_items {
            // A schema-2 store's keyring item not moved in yet: it goes with its profile.
            if let Err(e) = self.secrets().delete(&item) {
                tracing::warn!(error = %e, "a removed profile's keyring item could not be deleted");
            }
        }
        entries.sort_by(|a, b| a.handle.cmp(&b.handle));
        Ok(SyncReport { dir: dir_text, commit, entries })
    }

    /// One profile the folder and the store both have.
    fn sync_one(
        &self,
        tx: &rusqlite::Transaction<'_>,
        row: &Row,
        p: &TeamProfile,
        dir: &str,
        commit: Option<&str>,
        opts: SyncOptions,
    ) -> Result<SyncEntry> {
        let handle = row.handle.as_str();
        if row.team_dir.as_deref() != Some(dir) {
            let why = match &row.team_dir {
                Some(other) => format!("a profile with this handle comes from another team folder ({other}): it was left alone"),
                None => "a profile with this handle exists on this desktop and is not from this folder: it was left alone".to_string(),
            };
            return Ok(entry(handle, SyncOutcome::Conflict, Vec::new(), why));
        }
        if row.template != p.template {
            return Ok(entry(
                handle,
                SyncOutcome::Conflict,
                vec!["template".into()],
                format!(
                    "the folder changes its template from {} to {}, and a profile's template never changes: remove the profile here and sync again",
                    row.template, p.template
                ),
            ));
        }
        let changed = differences(row, p);
        if changed.is_empty() {
            store::profiles::set_team(tx, row.id, Some(dir), commit)?;
            return Ok(entry(handle, SyncOutcome::Unchanged, changed, "as in the folder"));
        }
        let moves = moved(row, &p.fields);
        if !moves.is_empty() && !opts.confirm_moved {
            let said: Vec<String> = moves.iter().map(Change::describe).collect();
            return Ok(entry(
                handle,
                SyncOutcome::NeedsConfirmation,
                changed,
                format!("{}: left as it was until a person confirms the change", said.join("; ")),
            ));
        }
        store::update(tx, row.id, &p.label, &p.fields)?;
        if row.fields.get(source::FIELD) != p.fields.get(source::FIELD) {
            // A value kept from the old reference (or typed for it) is not the new place's.
            store::profiles::clear_client_secret(tx, row.id)?;
        }
        if row.fields != p.fields {
            // A token was issued for the old settings: it is stale now.
            self.forget_token(tx, row.id, Some(history::Dropped::SettingsChanged))?;
        }
        if !moves.is_empty() {
            let mut confirmed = origins::confirmed_of(row);
            let candidate = Row { fields: p.fields.clone(), ..row.clone() };
            confirmed.confirm(&origins::changes(&candidate));
            store::profiles::set_confirmed(tx, row.id, &confirmed.to_json())?;
        }
        store::profiles::set_team(tx, row.id, Some(dir), commit)?;
        let why = if moves.is_empty() {
            "changed in the folder".to_string()
        } else {
            "changed in the folder; the moved endpoints were confirmed".to_string()
        };
        Ok(entry(handle, SyncOutcome::Changed, changed, why))
    }
}
