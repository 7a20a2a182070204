//! The OAuth flows: configuration resolved from a profile, the HTTP rules, token responses,
//! the exchanges with the provider, and the test call.

pub mod config;
pub mod discovery;
pub mod exchange;
pub mod http;
pub mod listener;
pub mod test_call;
pub mod token;
pub mod trace;
