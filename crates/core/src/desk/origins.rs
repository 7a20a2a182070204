//! Credentials stay with the destinations a person confirmed. A profile's creation confirms
//! the endpoints it was made with; after that, a new or changed endpoint of any kind (token,
//! device authorization, revocation, introspection, the test call's hosts), whether it came
//! from an edit, discovery or the window's form, is unconfirmed until a person confirms it.
//! Entering a secret again confirms nothing. The record lives with the profile in the store
//! and reaches every request as [`FlowConfig::confirmed`], which the gate
//! ([`crate::flows::gate`]) checks before anything is sent.

use super::Desk;
use crate::error::{Error, Need, Result};
use crate::flows::config::FlowConfig;
use crate::flows::gate::{self, Change, Confirmed, Endpoint};
use crate::store::{self, Row};
use crate::template;

/// The profile's flow configuration from its fields alone (nothing confirmed), when they
/// make one.
fn config_of(row: &Row) -> Option<FlowConfig> {
    let t = template::find(&row.template).ok()?;
    FlowConfig::new(t, &row.fields).ok()
}

/// What a person confirmed for `row`. A profile from before schema 6 keeps what it was bound
/// to then (its token URL's and test URL's origins) and has its other endpoints, which were
/// used unbound until then, confirmed as they are.
pub(crate) fn confirmed_of(row: &Row) -> Confirmed {
    if let Some(text) = &row.confirmed {
        return Confirmed::from_json(&row.handle, text);
    }
    let Some(cfg) = config_of(row) else { return Confirmed { handle: row.handle.clone(), ..Default::default() } };
    let mut c = Confirmed::all_of(&row.handle, &cfg);
    if let Some(bound) = &row.token_origin {
        c.origins.insert(Endpoint::Token, vec![bound.clone()]);
    }
    if let (Some(bound), Some(test)) = (&row.test_origin, &cfg.test_url) {
        if *bound != gate::origin(test) {
            // The test URL moved after it was bound: its host stays unconfirmed.
            let moved = test.host_str().map(|h| format!("{}:{}", h.to_ascii_lowercase(), test.port_or_known_default().unwrap_or(0)));
            if let Some(list) = c.origins.get_mut(&Endpoint::Resource) {
                list.retain(|h| Some(h) != moved.as_ref());
            }
        }
    }
    c
}

/// What the profile's fields name that no one confirmed.
pub(crate) fn changes(row: &Row) -> Vec<Change> {
    match config_of(row) {
        Some(cfg) => confirmed_of(row).unconfirmed(&cfg),
        None => Vec::new(),
    }
}

/// The same, in words (as a profile shows it).
pub(crate) fn unconfirmed(row: &Row) -> Vec<String> {
    changes(row).iter().map(Change::describe).collect()
}

impl Desk {
    /// Refuses to start an operation that would send a credential to one of `kinds` of
    /// endpoint where no one confirmed it; says every such destination. (The gate checks each
    /// request again; this says it before anything starts.)
    pub(crate) fn check_origins(&self, handle: &str, kinds: &[Endpoint]) -> Result<()> {
        let row = store::get(&self.conn(), handle)?;
        let found: Vec<Change> = changes(&row).into_iter().filter(|c| kinds.contains(&c.endpoint)).collect();
        if found.is_empty() {
            return Ok(());
        }
        let said: Vec<String> = found.iter().map(Change::describe).collect();
        Err(Error::not_ready(
            handle,
            Need::ConfirmOrigin,
            format!("{}: nothing is sent there until a person confirms the change", said.join("; ")),
        ))
    }

    /// What a person confirmed for `handle` (for a flow configuration made outside
    /// [`Desk::flow_config`], as a diagnosis makes its own).
    pub(crate) fn confirmed(&self, handle: &str) -> Result<Confirmed> {
        Ok(confirmed_of(&store::get(&self.conn(), handle)?))
    }

    /// The destinations of `handle` that wait for a person's confirmation.
    pub fn origin_changes(&self, handle: &str) -> Result<Vec<Change>> {
        Ok(changes(&store::get(&self.conn(), handle)?))
    }

    /// Confirms the profile's unconfirmed destinations. With `expected` (what the person was
    /// shown), only when they are still exactly those: a change made meanwhile is not
    /// confirmed by a dialog that did not show it. Returns what was confirmed.
    #[tracing::instrument(skip(self, expected), err(level = "info"))]
    pub fn confirm_origins(&self, handle: &str, expected: Option<&[Change]>) -> Result<Vec<Change>> {
        let mut conn = self.conn();
        let tx = store::write(&mut conn)?;
        let row = store::get(&tx, handle)?;
        let found = changes(&row);
        if let Some(expected) = expected {
            if expected != found.as_slice() {
                return Err(Error::not_ready(
                    handle,
                    Need::ConfirmOrigin,
                    format!("the endpoints of '{handle}' changed while the confirmation was shown: nothing was confirmed; confirm again"),
                ));
            }
        }
        let mut confirmed = confirmed_of(&row);
        confirmed.confirm(&found);
        store::profiles::set_confirmed(&tx, row.id, &confirmed.to_json())?;
        tx.commit()?;
        Ok(found)
    }

    /// Records, for every profile from before schema 6, what it was confirmed for (once,
    /// when such a store is first opened).
    pub(crate) fn record_legacy_confirmations(&self) -> Result<()> {
        let mut conn = self.conn();
        let tx = store::write(&mut conn)?;
        for row in store::profiles::unrecorded_confirmations(&tx)? {
            store::profiles::set_confirmed(&tx, row.id, &confirmed_of(&row).to_json())?;
        }
        tx.commit()?;
        Ok(())
    }
}
