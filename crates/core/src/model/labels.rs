//! The one label of each enum that people read. The CLI and the diagnosis call
//! [`Labelled::label`]; the window reads the same words from the tables that
//! [`label_tables`] gives to the generated `contract.ts`, so no front end words an enum
//! on its own.

use super::{Check, ConnectionStatus, ExpirySource, Stage, TokenSource};

/// An enum with a serialized name and a label for people.
pub trait Labelled: Copy + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The TypeScript type the values belong to (a ts-rs binding).
    const TS_TYPE: &'static str;
    /// The serialized name (what JSON and the store hold).
    fn value(self) -> &'static str;
    /// What people read.
    fn label(self) -> &'static str;
}

impl Labelled for Stage {
    const ALL: &'static [Self] = &Stage::ALL;
    const TS_TYPE: &'static str = "Stage";
    fn value(self) -> &'static str {
        self.as_str()
    }
    fn label(self) -> &'static str {
        match self {
            Stage::Authorize => "sign-in",
            Stage::Token => "token",
            Stage::Refresh => "refresh",
            Stage::Introspect => "introspection",
            Stage::Test => "test call",
            Stage::Revoke => "revocation",
            Stage::Discovery => "discovery",
        }
    }
}

impl Labelled for ExpirySource {
    const ALL: &'static [Self] = &ExpirySource::ALL;
    const TS_TYPE: &'static str = "ExpirySource";
    fn value(self) -> &'static str {
        self.as_str()
    }
    fn label(self) -> &'static str {
        match self {
            ExpirySource::ExpiresIn => "expires_in",
            ExpirySource::Jwt => "the JWT's exp claim",
            ExpirySource::Introspection => "introspection",
            ExpirySource::Unknown => "nowhere",
        }
    }
}

impl Labelled for ConnectionStatus {
    const ALL: &'static [Self] = &ConnectionStatus::ALL;
    const TS_TYPE: &'static str = "ConnectionStatus";
    fn value(self) -> &'static str {
        self.as_str()
    }
    fn label(self) -> &'static str {
        match self {
            ConnectionStatus::Connected => "connected",
            ConnectionStatus::Expired => "expired",
            ConnectionStatus::Failing => "failing",
            ConnectionStatus::Never => "never tried",
            ConnectionStatus::SignedOut => "signed out",
            ConnectionStatus::SettingsChanged => "settings changed",
        }
    }
}

impl Labelled for Check {
    const ALL: &'static [Self] = &Check::ALL;
    const TS_TYPE: &'static str = "Check";
    fn value(self) -> &'static str {
        self.as_str()
    }
    fn label(self) -> &'static str {
        match self {
            Check::Profile => "Profile check",
            Check::SecretSource => "Secret source",
            Check::Network => "Reaching the host",
            Check::Authorization => "Authorization page",
            Check::TokenEndpoint => "Token endpoint",
            Check::TokenResponse => "Token response",
            Check::TestCall => "Test call",
            Check::Clock => "Expiry and clock",
        }
    }
}

impl Labelled for TokenSource {
    const ALL: &'static [Self] = &TokenSource::ALL;
    const TS_TYPE: &'static str = "TokenSource";
    fn value(self) -> &'static str {
        self.as_str()
    }
    fn label(self) -> &'static str {
        match self {
            TokenSource::Cache => "from the cache",
            TokenSource::Network => "new from the provider",
            TokenSource::Unchanged => "asked again: the provider sent the same token",
            TokenSource::Agent => "from the background agent",
        }
    }
}

/// One enum's labels, for a generated table: `(serialized name, label)` pairs.
pub struct LabelTable {
    pub ts_type: &'static str,
    pub entries: Vec<(&'static str, &'static str)>,
}

fn table<T: Labelled>() -> LabelTable {
    LabelTable { ts_type: T::TS_TYPE, entries: T::ALL.iter().map(|v| (v.value(), v.label())).collect() }
}

/// The labels of every enum people read, for the window's generated contract.
pub fn label_tables() -> Vec<LabelTable> {
    vec![table::<Stage>(), table::<ExpirySource>(), table::<ConnectionStatus>(), table::<Check>(), table::<TokenSource>()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_value_has_a_distinct_label_and_serializes_as_its_value() {
        for t in label_tables() {
            let labels: HashSet<_> = t.entries.iter().map(|(_, l)| *l).collect();
            assert_eq!(labels.len(), t.entries.len(), "{}: two values share a label", t.ts_type);
        }
        for s in Stage::ALL {
            assert_eq!(serde_json::to_value(s).ok(), Some(serde_json::json!(s.value())));
        }
        for s in ExpirySource::ALL {
            assert_eq!(serde_json::to_value(s).ok(), Some(serde_json::json!(s.value())));
        }
        for s in ConnectionStatus::ALL {
            assert_eq!(serde_json::to_value(s).ok(), Some(serde_json::json!(s.value())));
        }
        for s in Check::ALL {
            assert_eq!(serde_json::to_value(s).ok(), Some(serde_json::json!(s.value())));
        }
        for s in TokenSource::ALL {
            assert_eq!(serde_json::to_value(s).ok(), Some(serde_json::json!(s.value())));
        }
    }
}
