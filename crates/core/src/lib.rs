//! OAuth Desk's core: connection profiles made from templates, their SQLite store, their
//! secrets in the OS keyring, the OAuth flows and the diagnosis. It knows nothing of the
//! window: the Tauri app and the CLI are thin adapters over [`Desk`].
//!
//! # Layers
//!
//! Each module uses only the modules on its own line or below it; nothing points up. This
//! picture is the rule: the test `tests/layers.rs` reads it and the sources, and fails on a
//! use that points up. A new module gets its line here.
//!
//! ```text
//! diagnose                  the diagnosis and its support report
//! desk/                     the entry point: profiles, the grant pipeline, tokens, sign-in
//! store/                    SQLite: every statement, migrations, derived connection state
//! flows/                    the OAuth protocol: config, requests, answers, expiry, redirect
//! profile, transfer         the rules for a profile's fields; the export file format
//! template, validate        the template catalogue and the value rules
//! providers/                what a provider decides itself: endpoints, hosts, defaults
//! pki, knowledge            keys and certificates; what providers' error answers mean
//! secret                    secret types by role; the keyring
//! error                     the one error type and its codes
//! model                     vocabulary: plain data every layer speaks
//! ```
//!
//! So the protocol code in `flows/` can be read and tested without a store or a desk, and
//! the store knows no HTTP.

pub mod desk;
pub mod diagnose;
pub mod error;
pub mod flows;
pub mod knowledge;
pub mod model;
pub mod pki;
pub mod profile;
mod providers;
pub mod secret;
pub mod store;
pub mod template;
pub mod transfer;
pub mod validate;

pub use desk::{ConnectResult, Desk, Token};
pub use error::{AnswerKind, Error, ErrorCode, ErrorPayload, Need, Result};
pub use model::{
    Attempt, ConnectionState, ConnectionStatus, ExpirySource, Fields, Labelled, Profile, ProfileSummary, SecretState, Stage, TokenInfo,
    TokenSource,
};
pub use profile::{NewProfile, ProfileChanges};
pub use providers::{ProviderFacts, ProviderId};
pub use secret::{ClientSecret, Keyring, Secret, SecretStore};
pub use template::{Flow, Template};
pub use transfer::ExportFile;
