//! OAuth Desk's core: connection profiles made from templates, their SQLite store, their
//! secrets in the OS keyring, and (in later modules) the OAuth flows and the diagnosis.
//! It knows nothing of the window: the Tauri app and the CLI are thin adapters over it.

pub mod authorization;
pub mod connect;
pub mod desk;
pub mod diagnose;
pub mod error;
pub mod flows;
pub mod history;
pub mod profile;
pub mod salesforce;
pub mod secret;
pub mod store;
pub mod template;
pub mod transfer;
pub mod validate;

pub use connect::{ConnectResult, Token, TokenInfo, TokenSource};
pub use desk::Desk;
pub use error::{Error, ErrorPayload, Result, Stage};
pub use profile::{Fields, NewProfile, Profile, ProfileChanges, SecretState};
pub use secret::{Keyring, Secret, SecretStore};
pub use template::{Flow, Template};
pub use transfer::ExportFile;
