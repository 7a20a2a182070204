//! The secret source's check: for a profile whose secret comes by reference, whether its
//! source gives the value (read afresh, kept nowhere), before anything is sent to the
//! provider. Each reason a source fails for has its finding.

use super::super::Outcome;
use crate::secret::source::{Reason, Reference, SourceError};

/// The finding that states a source's failure, by its reason.
pub fn finding_of(reason: Reason) -> &'static str {
    match reason {
        Reason::NotConfigured => "secret-source-not-configured",
        Reason::NotFound => "secret-source-not-found",
        Reason::Denied => "secret-source-denied",
        Reason::Sealed => "secret-source-sealed",
        Reason::TokenInvalid => "secret-source-token-invalid",
        Reason::FieldMissing => "secret-source-field-missing",
        Reason::Unreachable => "secret-source-unreachable",
        Reason::TooLarge => "secret-source-too-large",
        Reason::NotInstalled => "secret-source-not-installed",
        Reason::Unusable => "secret-source-unusable",
        Reason::Failed => "secret-source-failed",
    }
}

/// The check of `r`, which gave its value or failed with `failure`.
pub fn secret_source(r: &Reference, failure: Option<&SourceError>) -> Outcome {
    match failure {
        None => Outcome::ok(&format!("the secret was read from {r} ({} source)", r.kind())),
        Some(e) => Outcome::found(finding_of(e.reason), &[("reference", r.as_str()), ("error", &e.detail)]),
    }
}

/// The check of every reference the profile's secrets come from: the first that failed,
/// else each named as read.
pub fn secret_sources(sources: &[(&Reference, Option<&SourceError>)]) -> Outcome {
    if let Some((r, failure)) = sources.iter().find(|(_, f)| f.is_some()) {
        return secret_source(r, *failure);
    }
    if let [(r, None)] = sources {
        return secret_source(r, None);
    }
    let read: Vec<String> = sources.iter().map(|(r, _)| format!("{r} ({} source)", r.kind())).collect();
    Outcome::ok(&format!("the secrets were read from {}", read.join(" and ")))
}
