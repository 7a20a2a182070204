//! OAuth Desk's core: connection profiles made from templates, their SQLite store, their
//! secrets sealed under a data key kept in the OS keyring, the OAuth flows and the diagnosis. It knows nothing of the
//! window: the Tauri app and the CLI are thin adapters over [`Desk`].
//!
//! # Layers
//!
//! Each module uses only the modules on its own line or below it; nothing points up. This
//! picture is the rule: the test `tests/layers.rs` reads it and the sources, and fails on a
//! use that points up. A new module gets its line here.
//!
//! ```text
//! team/                     profiles as code: team folders, their files, sync and export
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

// Every module is private but `team`, whose own modules are: the front ends (the window, the
// command line, the sandbox) use the surface below, so a module can be reorganised without
// touching them. The test suites
// reach further through `test_support`, behind the feature of that name.
mod desk;
mod diagnose;
mod error;
mod flows;
mod knowledge;
mod model;
mod pki;
mod profile;
mod providers;
mod secret;
mod store;
pub mod team;
mod template;
mod transfer;
mod validate;

// The entry point and what its calls answer.
pub use desk::authorization::{RevokeOutcome, DEFAULT_TIMEOUT as SIGN_IN_TIMEOUT};
pub use desk::credentials::{CaInfo, KeyInfo};
pub use desk::handover::TokenBroker;
pub use desk::renewal::Renewal;
pub use desk::rollover::PreviousKey;
pub use desk::tokens::{margin_secs, TokenView};
pub use desk::{ConnectResult, Desk, RekeyOutcome, SignInStart, Token, DEFAULT_MARGIN};
pub use flows::device::DeviceStart;
pub use flows::discovery::{Discovery, Suggestion};
pub use flows::test_call::TestResult;

// Errors, and what a front end words for each.
pub use error::{AnswerKind, Error, ErrorCode, ErrorPayload, Need, Result};

// Profiles, templates and providers.
pub use model::warnings::{ALMOST_EXPIRED, EXPIRING_SOON, SOON_SHARE};
pub use model::{
    label_tables, Attempt, ConnectionState, ConnectionStatus, ExpirySource, Fields, LabelTable, Labelled, Newer, Profile, ProfileSummary,
    SecretState, Stage, TeamOrigin, TokenInfo, TokenSource,
};
pub use profile::{problems as field_problems, FieldProblem, NewProfile, ProfileChanges};
pub use providers::{ProviderFacts, ProviderId};
pub use secret::source::Role as ReferenceRole;
pub use template::{all as templates, find as find_template, FieldKind, FieldSpec, Flow, Template};
pub use transfer::{write_file, ExportFile};

// Team folders (profiles as code): `team` is public for its curated surface alone (its
// modules are the crate's own); the answers are also named here.
pub use team::{Edited, SyncEntry, SyncOptions, SyncOutcome, SyncReport, TeamExport, TeamFile, TeamHealth, TeamInit};

// Keys and certificates.
pub use pki::jwt::Unsigned;
pub use pki::{Algorithm, CertFacts, KeyType};

// Secrets, the keyring, and the one redactor every boundary uses.
pub use secret::redact::{json as redact_json, text as redact_text};
pub use secret::{ClientSecret, Keyring, MemorySecrets, Secret, SecretStore, KEYRING_TIMEOUT};

// The store's housekeeping.
pub use store::history::{set_retention as set_history_retention, Retention};

// Diagnosis and the knowledge base.
pub use diagnose::case::{Case, CaseProfile, CaseReplay, RecordedAnswer, CASE_FORMAT, CASE_KIND, MAX_CASE_BYTES};
pub use diagnose::failure::{ConnectionView, Failure};
pub use diagnose::health::{Checked, Health};
pub use diagnose::paste::{explain as explain_error, Explanation};
pub use diagnose::radar::{source as radar_source, Radar, RadarWarning};
pub use diagnose::ranking::{lines as ranking_lines, Cause, Evidence, Ranked, Verdict};
pub use diagnose::test_all::{Stamped, TestAll, TestOutcome};
pub use diagnose::Diagnosis;
pub use knowledge::paste::MAX_PASTE;
pub use knowledge::version::version as knowledge_version;
pub use knowledge::{entries as knowledge_entries, entry as knowledge_entry, learn_more, providers as knowledge_providers};
pub use knowledge::{Entry, Example, Provider};

/// The core's inner modules, for its own test suites and the app's: not OAuth Desk's API,
/// and absent from every build of the app.
#[cfg(feature = "test-support")]
#[doc(hidden)]
pub mod test_support {
    pub mod desk {
        pub use crate::desk::*;
        pub use crate::desk::{authorization, credentials, keys, origins, profiles, tokens};
    }
    pub mod diagnose {
        pub use crate::diagnose::*;
        pub use crate::diagnose::{failure, paste, radar, ranking, replay, test_all};
    }
    pub mod flows {
        pub use crate::flows::{
            authorize, config, device, discovery, exchange, expiry, gate, http, listener, record, redact, response, test_call, token, trace,
        };
    }
    pub mod knowledge {
        pub use crate::knowledge::*;
        pub use crate::knowledge::{answer, findings, paste, recognise};
    }
    pub mod model {
        pub use crate::model::*;
        pub use crate::model::{scopes, text, warnings};
    }
    pub mod pki {
        pub use crate::pki::*;
        pub use crate::pki::{jwt, kdf};
    }
    pub mod secret {
        pub use crate::secret::*;
        pub use crate::secret::{redact, roles, seal, source};
    }
    pub mod store {
        pub use crate::store::*;
        pub use crate::store::{credentials, history, profiles, sealed};
    }
    pub mod profile {
        pub use crate::profile::*;
    }
    pub mod template {
        pub use crate::template::*;
    }
    pub mod transfer {
        pub use crate::transfer::*;
    }
    pub mod validate {
        pub use crate::validate::*;
    }
}
