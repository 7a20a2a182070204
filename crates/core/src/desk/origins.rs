//! Credentials stay with the origins they were entrusted to. The client secret is bound to
//! the token URL's origin (scheme, host, port) when it is set, the bearer token to the test
//! URL's. A later change of either URL (an edit, `discover --apply`, the window's form) does
//! not carry the credential along: nothing is sent to the new origin until the user enters
//! the secret again or confirms the change. A profile bound to nothing yet (made before
//! this rule) is bound on first use.

use url::Url;

use super::Desk;
use crate::error::{Error, Need, Result};
use crate::flows::config::FlowConfig;
use crate::store::{self, Row};
use crate::template;

/// `https://host:port` of a URL.
pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The profile's token and test URL origins as its fields say now.
pub(crate) fn current(row: &Row) -> Option<(String, Option<String>)> {
    let t = template::find(&row.template).ok()?;
    let cfg = FlowConfig::new(t, &row.fields).ok()?;
    Some((origin(&cfg.token_url), cfg.test_url.as_ref().map(origin)))
}

/// What changed origin since it was entrusted, in words (empty: nothing).
pub(crate) fn unconfirmed(row: &Row) -> Vec<String> {
    let Some((token, test)) = current(row) else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(bound) = row.token_origin.as_deref().filter(|b| *b != token) {
        out.push(format!("the token URL now points to {token}; the client secret was entrusted to {bound}"));
    }
    if let (Some(bound), Some(test)) = (row.test_origin.as_deref(), test.as_deref()) {
        if bound != test {
            out.push(format!("the test URL now points to {test}; the token was entrusted to {bound}"));
        }
    }
    out
}

impl Desk {
    /// Refuses to send a credential to an origin it was not entrusted to; binds a profile
    /// that has no binding yet to its current origins.
    pub(crate) fn check_origins(&self, handle: &str) -> Result<()> {
        let row = store::get(&self.conn(), handle)?;
        let changed = unconfirmed(&row);
        if let Some(first) = changed.first() {
            return Err(Error::not_ready(
                handle,
                Need::ConfirmOrigin,
                format!("{first}: nothing is sent there until the change is confirmed"),
            ));
        }
        if row.token_origin.is_none() || row.test_origin.is_none() {
            // Only an origin that is unbound and now known is written: a profile without a
            // test URL has nothing to bind it to, and is not written again on every use.
            if let Some((token, test)) = current(&row).filter(|(_, test)| row.token_origin.is_none() || test.is_some()) {
                let mut conn = self.conn();
                let tx = store::write(&mut conn)?;
                store::profiles::bind_origins(&tx, row.id, Some(&token), test.as_deref())?;
                tx.commit()?;
            }
        }
        Ok(())
    }
}
