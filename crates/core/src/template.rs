//! Templates describe each kind of connection OAuth Desk knows: which fields a profile of
//! that kind has, what each is called in the provider's own console, where to find it, and
//! what is filled in by default. The UI draws its forms from these, the CLI checks `--set`
//! against them. A template names its provider; what that provider decides itself (its
//! endpoints, hosts, defaults) is its module's in `providers/`, not a test of the template's id.

mod catalog;
mod fields;
mod secret_expiry;

use std::sync::OnceLock;

use serde::Serialize;
use ts_rs::TS;

use crate::model::Check;
use crate::providers::{self, ProviderFacts, ProviderId, Rules};
use crate::secret::source::Role;

pub use crate::model::Flow;

/// How a field's value is checked and how the UI draws its input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case", tag = "type")]
#[ts(export)]
pub enum FieldKind {
    Text,
    Url,
    /// Sealed in the store under the data key (itself in the OS keyring), never in the
    /// profile's fields or an export; set only through the secret input.
    Secret,
    Choice {
        options: Vec<ChoiceOption>,
    },
    Bool,
    Port,
    Path,
    Method,
    /// Space-separated OAuth scopes.
    Scopes,
    /// Comma-separated host names; `*.example.com` matches subdomains.
    Hosts,
    /// `k=v&k2=v2`.
    Params,
    /// A whole number of seconds, 1 to 600.
    Seconds,
    /// A calendar date, `YYYY-MM-DD` (UTC), from 2000-01-01 to 9999-12-31.
    Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChoiceOption {
    pub value: String,
    pub label: String,
}

/// One input of a template.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FieldSpec {
    /// The name used by `--set NAME=VALUE`, exports and the API.
    pub name: String,
    /// The name the provider's console uses (e.g. "Consumer Key").
    pub label: String,
    /// Where to find the value, and what it is for.
    pub help: String,
    pub kind: FieldKind,
    pub required: bool,
    /// Filled in when the field is left blank.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// An example value shown in the empty input, for a field with no default (a default is
    /// what the empty input stands for, so it is what the input shows).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// Where a form asks for it.
    pub place: Place,
}

/// Where a form asks for a field. What a person must decide to make the first connection is
/// in view; what has a working default or serves a rarer need is under "Advanced"; a field
/// the template's grant never reads is not asked at all (it stays a field of the template,
/// so that profiles holding it and scripts setting it stay valid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Place {
    Main,
    Advanced,
    Unused,
}

/// A kind of connection.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub description: String,
    pub flow: Flow,
    pub fields: Vec<FieldSpec>,
    /// A grant kept only to reproduce old integrations: listed when asked for.
    pub legacy: bool,
    /// The provider whose rules the template follows (`None`: plain OAuth 2.0).
    pub provider: Option<ProviderId>,
    /// What the window shows of that provider (or of plain OAuth 2.0).
    pub facts: ProviderFacts,
    /// What the grant does, so the window asks these instead of naming grants.
    pub capabilities: Capabilities,
    /// The references the template's profiles may read secrets through besides the client
    /// secret's (`secret_ref`): the password's, the key's and its file's password's, each
    /// as an advanced text field (see [`Template::takes_reference`]).
    pub references: Vec<FieldSpec>,
}

impl Template {
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The rules of the template's provider.
    pub fn rules(&self) -> &'static dyn Rules {
        providers::rules(self.provider)
    }

    /// The secret input of this template (`client_secret`).
    pub fn secret_field(&self) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.kind == FieldKind::Secret)
    }

    /// Whether the template's profiles may have `role`'s secret, so its reference: a client
    /// secret where the template takes a secret, the password where its grant is the password
    /// grant, a key (and the password of its file) where the grant is signed or the client
    /// may prove itself with a key.
    pub fn takes_reference(&self, role: Role) -> bool {
        match role {
            Role::ClientSecret => self.secret_field().is_some(),
            Role::Password => self.flow == Flow::Password,
            Role::PrivateKey | Role::KeyPassword => self.flow.signs_grant() || self.field("client_auth").is_some(),
        }
    }

    /// The fields of [`Template::references`], for the roles it takes besides the client secret.
    pub(crate) fn reference_fields(&self) -> Vec<FieldSpec> {
        Role::ALL
            .into_iter()
            .filter(|r| *r != Role::ClientSecret && self.takes_reference(*r))
            .map(|r| FieldSpec {
                name: r.field().to_string(),
                label: r.label().to_string(),
                help: r.help().to_string(),
                kind: FieldKind::Text,
                required: false,
                default: None,
                placeholder: Some(r.example().to_string()),
                place: Place::Advanced,
            })
            .collect()
    }
}

/// What a grant does, as the window needs to know it (see [`Flow::capabilities`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Capabilities {
    /// [`Flow::signs_in`].
    pub signs_in: bool,
    /// [`Flow::polls`].
    pub polls: bool,
    /// [`Flow::redirects`].
    pub redirects: bool,
}

/// What each grant does. The desk, the diagnosis and the front ends ask these rather than
/// naming grants, so a new grant is described here once and the code that runs the
/// existing ones follows from its answers.
impl Flow {
    pub const ALL: [Flow; 5] = [Flow::ClientCredentials, Flow::AuthorizationCode, Flow::JwtBearer, Flow::DeviceCode, Flow::Password];

    /// A person signs in (in a browser or on another device) before there is a token; later
    /// tokens come from the refresh token, and without one a new sign-in is needed.
    pub fn signs_in(self) -> bool {
        matches!(self, Flow::AuthorizationCode | Flow::DeviceCode)
    }

    /// The sign-in is approved elsewhere while the token endpoint is polled (RFC 8628): a
    /// code to show, no redirect coming back.
    pub fn polls(self) -> bool {
        self == Flow::DeviceCode
    }

    /// The sign-in comes back through the loopback redirect (RFC 8252): a browser page, a
    /// redirect port, an authorization endpoint to check.
    pub fn redirects(self) -> bool {
        self.signs_in() && !self.polls()
    }

    /// The grant itself is a JWT signed with the profile's key (RFC 7523 §2.1), so the key
    /// is needed (and its certificate matters) whatever the client authentication.
    pub fn signs_grant(self) -> bool {
        self == Flow::JwtBearer
    }

    /// Whether a token request without a stored client secret is bound to fail, so it is
    /// refused before anything is sent. Only a grant whose client alone is the proof needs
    /// one: a sign-in may be a public client's, a signed grant carries its own proof, and
    /// the password grant's stored secret is the user's password.
    pub fn needs_client_secret(self, auth: crate::model::ClientAuth) -> bool {
        self == Flow::ClientCredentials && auth.uses_secret()
    }

    /// The checks a diagnosis of this grant runs, in order: the authorization step only
    /// where there is a sign-in (its page, or the device authorization request). The secret
    /// source's check runs besides, for a profile whose secret comes by reference.
    pub fn stages(self) -> &'static [Check] {
        const WITHOUT_PAGE: [Check; 6] =
            [Check::Profile, Check::Network, Check::TokenEndpoint, Check::TokenResponse, Check::TestCall, Check::Clock];
        const WITH_PAGE: [Check; 7] = [
            Check::Profile,
            Check::Network,
            Check::Authorization,
            Check::TokenEndpoint,
            Check::TokenResponse,
            Check::TestCall,
            Check::Clock,
        ];
        if self.signs_in() {
            &WITH_PAGE
        } else {
            &WITHOUT_PAGE
        }
    }

    /// The answers the window reads, sent with each template.
    pub fn capabilities(self) -> Capabilities {
        Capabilities { signs_in: self.signs_in(), polls: self.polls(), redirects: self.redirects() }
    }
}

pub const SALESFORCE_CLIENT_CREDENTIALS: &str = "salesforce-client-credentials";
pub const SALESFORCE_AUTHORIZATION_CODE: &str = "salesforce-authorization-code";
pub const CUSTOM_OAUTH2: &str = "custom-oauth2";
pub const CLIENT_CREDENTIALS: &str = "client-credentials";
pub const SALESFORCE_JWT_BEARER: &str = "salesforce-jwt-bearer";
pub const JWT_BEARER: &str = "jwt-bearer";
pub const DEVICE_CODE: &str = "device-code";
pub const PASSWORD: &str = "password";

/// All templates, in the order the UI offers them.
pub fn all() -> &'static [Template] {
    static TEMPLATES: OnceLock<Vec<Template>> = OnceLock::new();
    TEMPLATES.get_or_init(catalog::build)
}

/// The template with this id.
pub fn find(id: &str) -> crate::Result<&'static Template> {
    all().iter().find(|t| t.id == id).ok_or_else(|| {
        let known: Vec<&str> = all().iter().map(|t| t.id.as_str()).collect();
        crate::Error::UnknownTemplate(id.to_string(), known.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_have_the_contracted_ids() {
        let ids: Vec<&str> = all().iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                SALESFORCE_CLIENT_CREDENTIALS,
                SALESFORCE_AUTHORIZATION_CODE,
                CUSTOM_OAUTH2,
                CLIENT_CREDENTIALS,
                SALESFORCE_JWT_BEARER,
                JWT_BEARER,
                DEVICE_CODE,
                PASSWORD
            ]
        );
    }

    #[test]
    fn salesforce_client_credentials_has_no_username_password_or_token_fields() {
        let t = find(SALESFORCE_CLIENT_CREDENTIALS).unwrap();
        for banned in ["username", "password", "security_token", "token_url"] {
            assert!(t.field(banned).is_none(), "{banned} must not be a field");
        }
        assert_eq!(t.field("client_id").unwrap().label, "Consumer Key");
        assert_eq!(t.field("scopes").unwrap().default.as_deref(), Some("api"));
        assert!(t.field("my_domain").unwrap().required);
    }

    #[test]
    fn every_template_has_the_common_fields_and_help_for_each() {
        for t in all() {
            for name in ["test_url", "test_method", "default_params", "allowed_hosts", "timeout", "revoke_url", "introspect_url"] {
                assert!(t.field(name).is_some(), "{} lacks {name}", t.id);
            }
            assert!(t.fields.iter().all(|f| !f.help.is_empty()), "{} has a field without help", t.id);
            let mut names: Vec<&str> = t.fields.iter().map(|f| f.name.as_str()).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), t.fields.len(), "{} repeats a field", t.id);
        }
    }

    /// The capabilities are the grant's, told apart by what its templates ask for: a sign-in
    /// page needs a redirect port, a device sign-in a device authorization URL.
    #[test]
    fn each_grants_capabilities_agree_with_the_fields_of_its_templates() {
        for t in all() {
            let f = t.flow;
            let has = |name: &str| t.field(name).is_some();
            assert_eq!(f.redirects(), has("redirect_port"), "{}", t.id);
            assert_eq!(f.polls(), has("device_authorization_url"), "{}", t.id);
            assert_eq!(f.signs_in(), f.redirects() || f.polls(), "{}", t.id);
            assert_eq!(f.stages().contains(&Check::Authorization), f.signs_in(), "{}", t.id);
            assert!(f.stages().iter().all(|c| Check::ALL.contains(c)), "{}", t.id);
            assert_eq!(t.capabilities, f.capabilities(), "{}", t.id);
        }
        for f in Flow::ALL {
            // Every grant is listed (a new one fails to compile here until it is).
            match f {
                Flow::ClientCredentials | Flow::AuthorizationCode | Flow::JwtBearer | Flow::DeviceCode | Flow::Password => {}
            }
            assert!(all().iter().any(|t| t.flow == f), "{f:?} has a template");
            for (name, auth) in crate::model::ClientAuth::NAMES {
                let secret_proves = ["basic", "post", "client_secret_jwt"].contains(&name);
                assert_eq!(f.needs_client_secret(auth), f == Flow::ClientCredentials && secret_proves, "{f:?} {name}");
            }
        }
    }

    /// The form asks in view for every required field and every secret, and for nothing the
    /// grant ignores; an empty input shows the default it stands for, never another example.
    #[test]
    fn each_field_is_asked_where_it_matters_and_shows_its_default() {
        for t in all() {
            for f in &t.fields {
                let what = format!("{} {}", t.id, f.name);
                if f.required || f.kind == FieldKind::Secret {
                    assert_eq!(f.place, Place::Main, "{what}");
                }
                if f.default.is_some() {
                    assert_eq!(f.placeholder, None, "{what}: the default is the placeholder");
                }
            }
            assert!(t.fields.iter().any(|f| f.place == Place::Advanced), "{} folds nothing", t.id);
            let main = t.fields.iter().filter(|f| f.place == Place::Main).count();
            assert!(main <= 8, "{} asks {main} fields in view", t.id);
        }
        // The environment chooses a login host, which client credentials never use (they
        // work on My Domain only); every other Salesforce grant signs in there.
        for t in all().iter().filter(|t| t.field("environment").is_some()) {
            let used = t.rules().endpoints(&Default::default(), t.flow == Flow::ClientCredentials).is_ok();
            let place = t.field("environment").map(|f| f.place);
            assert_eq!(place == Some(Place::Unused), !used, "{}", t.id);
        }
        assert_eq!(find(SALESFORCE_CLIENT_CREDENTIALS).unwrap().field("scopes").unwrap().placeholder, None);
    }

    #[test]
    fn unknown_template_lists_the_known_ones() {
        let err = find("github").unwrap_err().to_string();
        assert!(err.contains("unknown template 'github'"), "{err}");
        assert!(err.contains("custom-oauth2"), "{err}");
    }
}
