//! What a ranking is made of: the candidate causes, their verdicts, a weighed cause, and the
//! evidence from this desktop's history that the ranking weighs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A candidate cause of the failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Cause {
    /// The provider's answer itself names the cause: the password changed.
    PasswordChanged,
    /// The provider's answer says the user is frozen or inactive.
    UserFrozen,
    /// The provider's answer says an administrator or the user revoked the grant.
    AdminRevoked,
    /// The provider's answer says the consent was withdrawn.
    ConsentWithdrawn,
    /// A rotated refresh token was used twice: another program or machine holds a copy.
    Rotation,
    /// More sign-ins of the same user to the same app than the provider keeps tokens for.
    TokenLimit,
    /// The refresh token went unused for longer than the provider allows.
    IdleExpiry,
    /// The refresh token outlived the provider's absolute lifetime.
    AbsoluteExpiry,
    /// The requests left through another proxy or network than when they last worked.
    NetworkPath,
    /// This computer's clock is off.
    Clock,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::PasswordChanged => "password_changed",
            Cause::UserFrozen => "user_frozen",
            Cause::AdminRevoked => "admin_revoked",
            Cause::ConsentWithdrawn => "consent_withdrawn",
            Cause::Rotation => "rotation",
            Cause::TokenLimit => "token_limit",
            Cause::IdleExpiry => "idle_expiry",
            Cause::AbsoluteExpiry => "absolute_expiry",
            Cause::NetworkPath => "network_path",
            Cause::Clock => "clock",
        }
    }

    /// The cause in words, for the text and the window.
    pub fn title(self) -> &'static str {
        match self {
            Cause::PasswordChanged => "The user's password changed",
            Cause::UserFrozen => "The user is frozen or inactive",
            Cause::AdminRevoked => "The access was revoked",
            Cause::ConsentWithdrawn => "The consent was withdrawn",
            Cause::Rotation => "The refresh token was already spent: by a copy elsewhere, or by a request whose answer was lost",
            Cause::TokenLimit => "Too many sign-ins of the same user to the same app",
            Cause::IdleExpiry => "The refresh token went unused too long",
            Cause::AbsoluteExpiry => "The refresh token reached its maximum lifetime",
            Cause::NetworkPath => "The requests now take another network path",
            Cause::Clock => "This computer's clock is off",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Verdict {
    Likely,
    Possible,
    RuledOut,
}

/// One cause, weighed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Ranked {
    pub cause: Cause,
    /// The cause in words ([`Cause::title`]), so every front end says it the same way.
    pub title: String,
    /// The knowledge-base entry that explains the answer the ranking is about.
    pub entry: Option<String>,
    pub verdict: Verdict,
    /// Why, one line each; the first is the one a short view shows.
    pub evidence: Vec<String>,
}

/// What this desktop recorded that the ranking weighs; built from the store's history of the
/// profile (and of other profiles with the same client and user). `None`: not known (history
/// written before these facts were kept, or the answer did not say).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Evidence {
    /// The provider's knowledge-base id, as recognised.
    pub provider: Option<String>,
    /// The failed request was a refresh (not a first token request).
    pub refresh: bool,
    /// The answer: its error code and description.
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// When the refresh token held now was obtained (its sign-in or the refresh that rotated it in).
    pub token_obtained_at: Option<DateTime<Utc>>,
    /// When the family of refresh tokens began: the sign-in that started the chain.
    pub signed_in_at: Option<DateTime<Utc>>,
    /// The last successful token or refresh request of this profile.
    pub last_success_at: Option<DateTime<Utc>>,
    /// Whether the refresh token that was refused had worked here before.
    pub refresh_token_used_before: Option<bool>,
    /// When a refresh from here presented this same refresh token before and failed (no
    /// answer, a gateway's error): a rotating provider may have spent it then.
    #[serde(default)]
    pub refresh_token_failed_at: Option<DateTime<Utc>>,
    /// The signed-in user, when known.
    pub user: Option<String>,
    /// Sign-ins of the same user to the same client recorded here (any profile) after the
    /// sign-in this profile's token comes from; `None` when the user is not known.
    pub later_sign_ins: Option<u32>,
    /// The proxy/network path of the last success, and now.
    pub path_at_last_success: Option<String>,
    pub path_now: Option<String>,
    /// This computer's clock minus the server's (from its `Date` header), in seconds.
    pub clock_offset_secs: Option<i64>,
}

impl PartialOrd for Cause {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Cause {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}
