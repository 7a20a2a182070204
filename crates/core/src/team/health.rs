//! A team folder's health, as a CI run checks it: the folder synced into the store (a
//! throwaway one, where each of its profiles is new), then every profile tested and warned
//! of as [`Desk::health`] does.

use std::path::Path;

use serde::Serialize;

use super::sync::{SyncOptions, SyncReport};
use crate::desk::Desk;
use crate::diagnose::health::Health;
use crate::error::Result;

/// What the sync did, then every profile's result.
#[derive(Debug, Clone, Serialize)]
pub struct TeamHealth {
    pub sync: SyncReport,
    #[serde(flatten)]
    pub health: Health,
}

impl Desk {
    /// Syncs the team folder `dir` into this store, then checks every profile's health,
    /// `parallel` at a time. In a store with profiles of its own, those are tested too.
    pub async fn team_health(&self, dir: &Path, opts: SyncOptions, parallel: usize) -> Result<TeamHealth> {
        let sync = self.team_sync(dir, opts)?;
        let health = self.health(parallel).await?;
        Ok(TeamHealth { sync, health })
    }
}
