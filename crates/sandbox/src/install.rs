//! Try it: the sandbox's profiles put in the store, made or brought up to date with this
//! run's address and secrets (a sandbox gets a new port and new secrets each start). A
//! profile of the same handle that is not the sandbox's (another template or label) is left
//! alone and named in the error, so trying the sandbox never overwrites someone's work.

use oauthdesk_core::{Desk, Error, ProfileChanges};

use crate::Sandbox;

/// Creates or updates the sandbox's profiles that Try it connects; returns their handles.
pub fn install(desk: &Desk, sandbox: &Sandbox) -> Result<Vec<String>, Error> {
    install_some(desk, sandbox, crate::tried)
}

/// Creates or updates the sandbox profile a failure mode shows on (a provider's sign-in is
/// made only when one of its modes is played, so Test all does not list it unsigned-in
/// otherwise); `None` for no mode or a mode that shows on a profile Try it made.
pub fn install_for_mode(desk: &Desk, sandbox: &Sandbox, mode: Option<&str>) -> Result<Option<String>, Error> {
    let Some(profile) = mode.and_then(|id| crate::modes().into_iter().find(|m| m.id == id)).map(|m| m.profile) else {
        return Ok(None);
    };
    if crate::tried(&profile) && desk.get(&profile).is_ok() {
        return Ok(None);
    }
    Ok(install_some(desk, sandbox, |h| h == profile)?.pop())
}

fn install_some(desk: &Desk, sandbox: &Sandbox, wanted: impl Fn(&str) -> bool) -> Result<Vec<String>, Error> {
    let wanted: Vec<_> = sandbox.profiles().into_iter().filter(|p| wanted(&p.handle)).collect();
    for new in &wanted {
        if let Ok(existing) = desk.get(&new.handle) {
            if existing.template != new.template || Some(&existing.label) != new.label.as_ref() {
                return Err(Error::invalid(
                    "handle",
                    format!(
                        "a profile named {} already exists and is not the sandbox's; rename or remove it to try the sandbox",
                        new.handle
                    ),
                ));
            }
        }
    }
    let mut handles = Vec::with_capacity(wanted.len());
    for new in wanted {
        let handle = new.handle.clone();
        if desk.get(&handle).is_ok() {
            desk.update(&handle, ProfileChanges { label: new.label, fields: new.fields, client_secret: new.client_secret })?;
            // The sandbox moved to this run's port: its own profiles follow it there, and only
            // there (a profile someone pointed elsewhere stays unconfirmed).
            let issuer = url::Url::parse(sandbox.issuer()).map_err(|e| Error::Internal(e.to_string()))?;
            let own = [
                issuer.origin().ascii_serialization(),
                format!("{}:{}", issuer.host_str().unwrap_or_default(), issuer.port_or_known_default().unwrap_or(0)),
            ];
            let changes = desk.origin_changes(&handle)?;
            if changes.iter().all(|c| own.contains(&c.destination)) {
                desk.confirm_origins(&handle, Some(&changes))?;
            }
        } else {
            desk.create(new)?;
        }
        handles.push(handle);
    }
    Ok(handles)
}
