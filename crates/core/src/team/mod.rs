//! Profiles as code: a team folder (kept in Git, reviewed in pull requests) holds one file per
//! profile, the definition only, and each desktop syncs its profiles from it. Secrets and
//! tokens never go into the folder: each user keeps their own in their own store, typed or
//! read through a reference (`secret_ref`) the file may name.
//!
//! - [`format`]: the folder file, the profile files, how they are read, checked and written;
//! - [`sync`]: [`Desk::team_sync`](crate::Desk::team_sync), all or nothing, with a report;
//! - [`export`]: making a folder, writing profiles into it, and writing a team profile's
//!   file back after an edit ([`Desk::edit`](crate::Desk::edit));
//! - [`git`]: the commit a folder is at;
//! - [`health`]: a folder's profiles synced and tested, for CI.

pub(crate) mod export;
pub(crate) mod format;
pub(crate) mod git;
pub(crate) mod health;
pub(crate) mod sync;

pub use export::{init, Edited, TeamExport, TeamFile, TeamInit};
pub use format::{FOLDER_FILE, FORMAT, PROFILES, VERSION};
pub use health::TeamHealth;
pub use sync::{SyncEntry, SyncOptions, SyncOutcome, SyncReport};

#[cfg(test)]
mod sync_tests;
