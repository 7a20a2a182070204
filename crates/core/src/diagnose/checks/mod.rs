//! The checks a diagnosis makes before and around the exchange: the profile's own values
//! (no request), reaching the host (proxy, DNS, TCP, TLS), and the system clock. Each decides
//! which finding ([`crate::knowledge::findings`]) applies and gives it the facts it names.

mod clock;
mod network;
mod profile;
mod source;

pub use clock::{clock, server_date};
pub use network::{network, proxy_for};
pub use profile::{certificate, confirmed, profile};
pub use source::secret_source;
pub use source::secret_sources;

/// Facts held as owned strings, as a finding takes them.
pub(super) fn pairs<'a>(facts: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    facts.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[cfg(test)]
mod proxy_tests;
#[cfg(test)]
mod tests;
