//! Writing a team folder: making one (`init`), writing profiles into it (an export), and
//! writing a profile's file again after an edit, so the change can be committed and
//! reviewed. An edit of a profile from a team folder goes through [`Desk::edit`], the one
//! place that knows to write the file back, whichever front end made the edit.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use super::format::{self, TeamProfile};
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::model::Profile;
use crate::profile::ProfileChanges;
use crate::secret::source;
use crate::store::{self, Row};

/// What making a team folder did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TeamInit {
    /// The folder, as an absolute path with no link in it.
    pub dir: String,
    /// False when the folder already was a team folder of this format (nothing was written).
    pub created: bool,
}

/// One profile written to a team folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TeamFile {
    pub handle: String,
    /// The file written.
    pub file: String,
    /// The profile has a typed secret here, which the file does not hold: each user types or
    /// references their own.
    pub secret_left_out: bool,
}

/// What an export to a team folder wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TeamExport {
    pub dir: String,
    pub files: Vec<TeamFile>,
}

/// A profile after an edit, and its team file when it comes from a team folder.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Edited {
    pub profile: Profile,
    /// The team file written again with the change (none for a profile of this desktop's own).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_file: Option<String>,
    /// Why the team file could not be written, when it could not: the profile itself was saved.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_file_error: Option<String>,
}

/// Makes `dir` a team folder (creating it if needed): writes its folder file. A folder that
/// already is one of this format is left as it is; one whose folder file names another
/// format, or a newer version, is refused.
pub fn init(dir: &Path) -> Result<TeamInit> {
    let named = |e: std::io::Error| Error::Io(std::io::Error::new(e.kind(), format!("cannot create {}: {e}", dir.display())));
    std::fs::create_dir_all(dir).map_err(named)?;
    let canonical = dir.canonicalize().map_err(named)?;
    let created = !format::check_folder(&canonical)?;
    if created {
        format::write_atomic(&format::folder_file(&canonical), &format::folder_json())?;
    }
    Ok(TeamInit { dir: canonical.to_string_lossy().to_string(), created })
}

fn definition(row: &Row) -> TeamProfile {
    TeamProfile { handle: row.handle.clone(), label: row.label.clone(), template: row.template.clone(), fields: row.fields.clone() }
}

impl Desk {
    /// Writes the named profiles (every profile when `handles` is empty) into the team folder
    /// `dir`, made one first if it is not yet, and records that they come from it. Every file
    /// is made before any is written: a profile that cannot be written (a field holding a
    /// secret) stops the export with nothing written.
    #[tracing::instrument(skip(self), err(level = "info"))]
    pub fn team_export(&self, handles: &[String], dir: &Path) -> Result<TeamExport> {
        let rows = if handles.is_empty() {
            store::list(&self.conn())?
        } else {
            let conn = self.conn();
            handles.iter().map(|h| store::get(&conn, h)).collect::<Result<Vec<_>>>()?
        };
        for row in rows.iter().filter(|r| r.client_secret.is_some()) {
            // The redactor learns the profile's own secret, so a field that repeats it is
            // refused below; a secret that cannot be read cannot be repeated knowingly either.
            let _ = self.client_secret(&row.handle);
        }
        let texts = rows.iter().map(|r| format::profile_json(&definition(r))).collect::<Result<Vec<_>>>()?;
        let folder = init(dir)?.dir;
        let commit = super::git::head_commit(Path::new(&folder));
        let mut files = Vec::new();
        for (row, text) in rows.iter().zip(&texts) {
            let path = format::profile_file(Path::new(&folder), &row.handle);
            format::write_atomic(&path, text)?;
            let typed = row.has_secret() && !row.fields.contains_key(source::FIELD);
            files.push(TeamFile { handle: row.handle.clone(), file: path.to_string_lossy().to_string(), secret_left_out: typed });
        }
        let mut conn = self.conn();
        let tx = store::write(&mut conn)?;
        for row in &rows {
            store::profiles::set_team(&tx, row.id, Some(&folder), commit.as_deref())?;
        }
        tx.commit()?;
        Ok(TeamExport { dir: folder, files })
    }

    /// Changes a profile (as [`Desk::update`]) and, when it comes from a team folder, writes
    /// its file there again so the change can be committed and reviewed. A file that cannot
    /// be written is said in [`Edited::team_file_error`]; the profile is saved either way.
    pub fn edit(&self, handle: &str, changes: ProfileChanges) -> Result<Edited> {
        let profile = self.update(handle, changes)?;
        let Some(team) = &profile.team else { return Ok(Edited { profile, team_file: None, team_file_error: None }) };
        let dir = Path::new(&team.dir);
        let written = self.write_team_file(handle, dir);
        let (team_file, team_file_error) = match written {
            Ok(path) => (Some(path), None),
            Err(e) => (None, Some(e.to_string())),
        };
        Ok(Edited { profile, team_file, team_file_error })
    }

    /// Writes `handle`'s file into its team folder `dir`; the path written.
    fn write_team_file(&self, handle: &str, dir: &Path) -> Result<String> {
        if !format::check_folder(dir)? {
            return Err(Error::invalid(
                "dir",
                format!("{} is no longer a team folder (its {} is gone)", dir.display(), format::FOLDER_FILE),
            ));
        }
        let row = store::get(&self.conn(), handle)?;
        let text = format::profile_json(&definition(&row))?;
        let path = format::profile_file(dir, handle);
        format::write_atomic(&path, &text)?;
        Ok(path.to_string_lossy().to_string())
    }
}
