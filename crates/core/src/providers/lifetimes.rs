//! What each provider documents about how long a refresh token lives and how many it keeps:
//! the one place the ranking of causes ([`crate::diagnose::ranking`]) reads these rules from.
//! Each rule names the page it is written from, so a ranked cause can say where its limit
//! comes from, and a changed rule is one line changed here.

use chrono::Duration;

/// One provider's documented refresh-token rules; `None` where its documentation sets none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshRules {
    /// The knowledge-base id of the provider.
    pub provider: &'static str,
    /// Its name, as an evidence line says it.
    pub name: &'static str,
    /// How long a refresh token may go unused before it stops working.
    pub idle_days: Option<i64>,
    pub idle_source: &'static str,
    /// When the idle limit holds only for some apps, which (in words).
    pub idle_applies_to: Option<&'static str>,
    /// How long a refresh token lives whatever its use.
    pub absolute_days: Option<i64>,
    pub absolute_source: &'static str,
    pub absolute_applies_to: Option<&'static str>,
    /// Whether each refresh hands back a new refresh token and reuse of an old one is refused
    /// (and may revoke the whole family).
    pub rotation: bool,
    pub rotation_source: &'static str,
    /// How many refresh tokens one user keeps for one app before the oldest is revoked.
    pub per_user_app: Option<u32>,
    pub per_user_app_source: &'static str,
    /// Whether a change of the user's password revokes the refresh tokens.
    pub password_change_revokes: bool,
    pub password_source: &'static str,
    /// Whether the provider is documented to act on the network a request comes from (VPN or
    /// proxy traffic freezing users and revoking their tokens).
    pub network_sensitive: bool,
    pub network_source: &'static str,
}

const SALESFORCE_IDLE: &str = "https://help.salesforce.com/s/articleView?id=xcloud.connected_app_limit_idle_ttl.htm&type=5";
/// Rotation made mandatory, and what reuse of a rotated refresh token does: "any attempted
/// reuse of an invalidated refresh token results in the immediate revocation of the current
/// refresh token".
const SALESFORCE_ROTATION: &str = "https://help.salesforce.com/s/articleView?id=005316711&type=1";
const SALESFORCE_MANAGE: &str = "https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_request_manage.htm&type=5";
const GOOGLE: &str = "https://developers.google.com/identity/protocols/oauth2#expiration";
const ENTRA: &str = "https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens";

/// The providers whose refresh-token rules are documented.
pub const ALL: &[RefreshRules] = &[
    RefreshRules {
        provider: "salesforce",
        name: "Salesforce",
        idle_days: Some(30),
        idle_source: SALESFORCE_IDLE,
        idle_applies_to: Some("apps used in several orgs"),
        absolute_days: None,
        absolute_source: "",
        absolute_applies_to: None,
        rotation: true,
        rotation_source: SALESFORCE_ROTATION,
        per_user_app: Some(5),
        per_user_app_source: SALESFORCE_MANAGE,
        password_change_revokes: false,
        password_source: "",
        network_sensitive: true,
        network_source: SALESFORCE_MANAGE,
    },
    RefreshRules {
        provider: "google",
        name: "Google",
        idle_days: Some(183),
        idle_source: GOOGLE,
        idle_applies_to: None,
        absolute_days: Some(7),
        absolute_source: GOOGLE,
        absolute_applies_to: Some("apps whose publishing status is Testing"),
        rotation: false,
        rotation_source: "",
        per_user_app: Some(100),
        per_user_app_source: GOOGLE,
        password_change_revokes: true,
        password_source: GOOGLE,
        network_sensitive: false,
        network_source: "",
    },
    RefreshRules {
        provider: "entra",
        name: "Microsoft Entra ID",
        idle_days: Some(90),
        idle_source: ENTRA,
        idle_applies_to: None,
        absolute_days: None,
        absolute_source: "",
        absolute_applies_to: None,
        // Each refresh hands back a new refresh token, but "the Microsoft identity platform
        // doesn't revoke old refresh tokens when used to fetch new access tokens": a copy used
        // elsewhere never spends this one.
        rotation: false,
        rotation_source: "",
        per_user_app: None,
        per_user_app_source: "",
        password_change_revokes: true,
        password_source: ENTRA,
        network_sensitive: false,
        network_source: "",
    },
];

/// The rules of the provider `id`, when it documents any.
pub fn find(id: Option<&str>) -> Option<&'static RefreshRules> {
    let id = id?;
    ALL.iter().find(|r| r.provider == id)
}

impl RefreshRules {
    pub fn idle(&self) -> Option<Duration> {
        self.idle_days.map(Duration::days)
    }
    pub fn absolute(&self) -> Option<Duration> {
        self.absolute_days.map(Duration::days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule that is set names an https page it comes from, and the provider exists in
    /// the knowledge base.
    #[test]
    fn every_rule_names_its_source() {
        for r in ALL {
            let pairs = [
                (r.idle_days.is_some(), r.idle_source),
                (r.absolute_days.is_some(), r.absolute_source),
                (r.rotation, r.rotation_source),
                (r.per_user_app.is_some(), r.per_user_app_source),
                (r.password_change_revokes, r.password_source),
                (r.network_sensitive, r.network_source),
            ];
            for (set, source) in pairs {
                assert_eq!(set, source.starts_with("https://"), "{}: a rule and its source go together", r.provider);
            }
            assert!(crate::knowledge::providers().iter().any(|p| p.id == r.provider), "{} is in the knowledge base", r.provider);
            assert_eq!(find(Some(r.provider)), Some(r));
        }
        assert_eq!(find(None), None);
        assert_eq!(find(Some("nowhere")), None);
    }
}
