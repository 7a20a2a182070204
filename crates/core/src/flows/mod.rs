//! The OAuth protocol: a profile's fields resolved into what a flow needs ([`config`]), the
//! HTTP rules ([`http`], and `proxy`: which proxy a request goes through), the reading of
//! answers as pure functions ([`response`], [`token`]),
//! the requests to the provider ([`exchange`]: one per grant, revocation, introspection),
//! the expiry of a new token ([`expiry`]), the loopback redirect ([`listener`]), discovery,
//! the test call, and what is recorded of each request ([`record`], [`trace`]).
//!
//! This layer knows nothing of the store or the desk: it takes a [`config::FlowConfig`] and
//! secrets by role, and returns what the provider said. It uses only `model`, `error`,
//! `secret` (the role types) and the template rules below it.

pub mod authorize;
pub mod config;
pub mod device;
pub mod discovery;
pub mod exchange;
pub mod expiry;
pub mod gate;
pub mod http;
pub mod listener;
pub(crate) mod proxy;
pub mod record;
pub mod redact;
pub mod response;
pub mod test_call;
pub mod token;
pub mod trace;

#[cfg(test)]
mod providers_tests;
