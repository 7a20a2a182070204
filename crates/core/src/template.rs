//! Templates describe each kind of connection OAuth Desk knows: which fields a profile of
//! that kind has, what each is called in the provider's own console, where to find it, and
//! what is filled in by default. The UI draws its forms from these, the CLI checks `--set`
//! against them, so adding a provider is a data change here and nowhere else.

use std::sync::OnceLock;

use serde::Serialize;
use ts_rs::TS;

/// Which OAuth 2.0 grant a template uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Flow {
    ClientCredentials,
    AuthorizationCode,
}

/// How a field's value is checked and how the UI draws its input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case", tag = "type")]
#[ts(export)]
pub enum FieldKind {
    Text,
    Url,
    /// Kept in the OS keyring, never in the store; set only through the secret input.
    Secret,
    Choice { options: Vec<ChoiceOption> },
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
    /// An example value shown in the empty input.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
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
}

impl Template {
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The secret input of this template (`client_secret`).
    pub fn secret_field(&self) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.kind == FieldKind::Secret)
    }
}

pub const SALESFORCE_CLIENT_CREDENTIALS: &str = "salesforce-client-credentials";
pub const SALESFORCE_AUTHORIZATION_CODE: &str = "salesforce-authorization-code";
pub const CUSTOM_OAUTH2: &str = "custom-oauth2";
pub const CLIENT_CREDENTIALS: &str = "client-credentials";

/// All templates, in the order the UI offers them.
pub fn all() -> &'static [Template] {
    static TEMPLATES: OnceLock<Vec<Template>> = OnceLock::new();
    TEMPLATES.get_or_init(build)
}

/// The template with this id.
pub fn find(id: &str) -> crate::Result<&'static Template> {
    all().iter().find(|t| t.id == id).ok_or_else(|| {
        let known: Vec<&str> = all().iter().map(|t| t.id.as_str()).collect();
        crate::Error::UnknownTemplate(id.to_string(), known.join(", "))
    })
}

struct F(FieldSpec);

impl F {
    fn new(name: &str, label: &str, kind: FieldKind, help: &str) -> Self {
        F(FieldSpec {
            name: name.into(),
            label: label.into(),
            help: help.into(),
            kind,
            required: false,
            default: None,
            placeholder: None,
        })
    }
    fn required(mut self) -> Self {
        self.0.required = true;
        self
    }
    fn default(mut self, value: &str) -> Self {
        self.0.default = Some(value.into());
        self
    }
    fn placeholder(mut self, value: &str) -> Self {
        self.0.placeholder = Some(value.into());
        self
    }
}

fn choice(options: &[(&str, &str)]) -> FieldKind {
    FieldKind::Choice {
        options: options.iter().map(|(v, l)| ChoiceOption { value: (*v).into(), label: (*l).into() }).collect(),
    }
}

fn environment() -> F {
    F::new(
        "environment",
        "Environment",
        choice(&[("production", "Production / Developer Edition"), ("sandbox", "Sandbox")]),
        "Production and Developer Edition orgs sign in at login.salesforce.com, sandboxes at test.salesforce.com.",
    )
    .default("production")
}

fn client_auth() -> F {
    F::new(
        "client_auth",
        "Client authentication",
        choice(&[("basic", "HTTP Basic (client_secret_basic)"), ("post", "In the request body (client_secret_post)")]),
        "How the client ID and secret are sent to the token URL. The provider's documentation (or its discovery document's token_endpoint_auth_methods_supported) says which it accepts.",
    )
    .default("basic")
}

fn token_body() -> F {
    F::new(
        "token_body",
        "Token request body",
        choice(&[("form", "Form (application/x-www-form-urlencoded)"), ("json", "JSON (application/json)")]),
        "OAuth 2.0 sends a form; a few APIs want the token request as JSON.",
    )
    .default("form")
}

fn token_field() -> F {
    F::new(
        "token_field",
        "Access-token field",
        FieldKind::Text,
        "The field of the token response that holds the access token. Blank: access_token.",
    )
    .placeholder("access_token")
}

fn extra_params() -> F {
    F::new(
        "extra_params",
        "Extra token parameters",
        FieldKind::Params,
        "Additional parameters sent with the token request, as k=v&k2=v2.",
    )
}

fn pkce() -> F {
    F::new(
        "pkce",
        "PKCE (S256)",
        FieldKind::Bool,
        "Proof Key for Code Exchange protects the authorization code. Leave it on unless the provider rejects it.",
    )
    .default("true")
}

fn redirect_port(default: &str) -> F {
    F::new(
        "redirect_port",
        "Redirect port",
        FieldKind::Port,
        "Port of the loopback redirect http://127.0.0.1:<port><path>. 0 picks a free port each time; set a fixed port when the provider needs the exact redirect URI registered.",
    )
    .default(default)
}

fn redirect_path() -> F {
    F::new("redirect_path", "Redirect path", FieldKind::Path, "Path of the loopback redirect URI.").default("/callback")
}

fn scopes(help: &str, default: Option<&str>) -> F {
    let f = F::new("scopes", "Scopes", FieldKind::Scopes, help).placeholder("openid profile");
    match default {
        Some(d) => f.default(d),
        None => f,
    }
}

/// Fields every template has: the test call, the host whitelist and the optional endpoints.
fn common() -> Vec<F> {
    vec![
        F::new(
            "test_url",
            "Test (me) URL",
            FieldKind::Url,
            "An API URL called with the token to prove it works, e.g. a userinfo or /me endpoint. Blank: the template's default, where it has one.",
        )
        .placeholder("https://api.example.com/me"),
        F::new(
            "test_method",
            "Test method",
            FieldKind::Method,
            "HTTP method of the test call.",
        )
        .default("GET"),
        F::new(
            "default_params",
            "Default request parameters",
            FieldKind::Params,
            "Query parameters added to every API call, as k=v&k2=v2 (e.g. version=2).",
        ),
        F::new(
            "allowed_hosts",
            "Allowed hosts",
            FieldKind::Hosts,
            "Hosts that may receive the token, comma-separated (*.example.com for subdomains). Blank: the token and test URLs' own hosts. The token is never sent anywhere else.",
        ),
        F::new(
            "timeout",
            "Timeout (seconds)",
            FieldKind::Seconds,
            "How long each request may take before it is reported as a timeout.",
        )
        .default("30"),
        F::new("revoke_url", "Revocation URL", FieldKind::Url, "RFC 7009 token revocation endpoint (optional)."),
        F::new(
            "introspect_url",
            "Introspection URL",
            FieldKind::Url,
            "RFC 7662 token introspection endpoint (optional); used to learn a token's expiry when the token response does not say.",
        ),
    ]
}

fn template(id: &str, name: &str, description: &str, flow: Flow, fields: Vec<F>) -> Template {
    let fields = fields.into_iter().chain(common()).map(|f| f.0).collect();
    Template { id: id.into(), name: name.into(), description: description.into(), flow, fields }
}

fn build() -> Vec<Template> {
    let sf_key_help = "Setup → External Client App Manager → your app → Settings → OAuth Settings → Consumer Key and Secret.";
    vec![
        template(
            SALESFORCE_CLIENT_CREDENTIALS,
            "Salesforce (External Client App, client credentials)",
            "Server-to-server access as the app's Run As user. Needs the org's My Domain URL; no username, password or security token.",
            Flow::ClientCredentials,
            vec![
                environment(),
                F::new(
                    "my_domain",
                    "My Domain URL",
                    FieldKind::Url,
                    "Setup → My Domain → Current My Domain URL. Client credentials work only on this host, not on login.salesforce.com. The token URL is <My Domain>/services/oauth2/token.",
                )
                .required()
                .placeholder("https://your-domain.my.salesforce.com"),
                F::new("client_id", "Consumer Key", FieldKind::Text, sf_key_help).required(),
                F::new("client_secret", "Consumer Secret", FieldKind::Secret, sf_key_help).required(),
                scopes("Space-separated scopes selected on the app, e.g. api.", Some("api")),
            ],
        ),
        template(
            SALESFORCE_AUTHORIZATION_CODE,
            "Salesforce (authorization code + PKCE)",
            "User-context access: you sign in in the browser and OAuth Desk receives the code on a loopback redirect. Register http://127.0.0.1:<port>/callback as the app's Callback URL.",
            Flow::AuthorizationCode,
            vec![
                environment(),
                F::new(
                    "my_domain",
                    "My Domain URL",
                    FieldKind::Url,
                    "Optional: sign in on your My Domain instead of login.salesforce.com / test.salesforce.com (Setup → My Domain).",
                )
                .placeholder("https://your-domain.my.salesforce.com"),
                F::new("client_id", "Consumer Key", FieldKind::Text, sf_key_help).required(),
                F::new(
                    "client_secret",
                    "Consumer Secret",
                    FieldKind::Secret,
                    "Needed only when the app has 'Require secret for Web Server Flow' on.",
                ),
                scopes("Space-separated scopes, e.g. api refresh_token.", Some("api refresh_token")),
                pkce(),
                redirect_port("1717"),
                redirect_path(),
            ],
        ),
        template(
            CUSTOM_OAUTH2,
            "Custom OAuth 2.0 (authorization code)",
            "Any OAuth 2.0 provider with the authorization-code flow, through a loopback redirect with PKCE.",
            Flow::AuthorizationCode,
            vec![
                F::new("authorize_url", "Authorization URL", FieldKind::Url, "The provider's authorization endpoint (its discovery document's authorization_endpoint).")
                    .required()
                    .placeholder("https://auth.example.com/authorize"),
                F::new("token_url", "Token URL", FieldKind::Url, "The provider's token endpoint (token_endpoint).")
                    .required()
                    .placeholder("https://auth.example.com/oauth/token"),
                F::new("client_id", "Client ID", FieldKind::Text, "From the app registration in the provider's console.").required(),
                F::new("client_secret", "Client secret", FieldKind::Secret, "From the app registration. Leave blank for a public (native) client."),
                scopes("Space-separated scopes.", None),
                pkce(),
                redirect_port("0"),
                redirect_path(),
                client_auth(),
                token_body(),
                token_field(),
                extra_params(),
            ],
        ),
        template(
            CLIENT_CREDENTIALS,
            "Client credentials (generic)",
            "Machine-to-machine access to any API with the OAuth 2.0 client-credentials grant.",
            Flow::ClientCredentials,
            vec![
                F::new("token_url", "Token URL", FieldKind::Url, "The provider's token endpoint.")
                    .required()
                    .placeholder("https://auth.example.com/oauth/token"),
                F::new("client_id", "Client ID", FieldKind::Text, "From the app registration in the provider's console.").required(),
                F::new("client_secret", "Client secret", FieldKind::Secret, "From the app registration.").required(),
                scopes("Space-separated scopes.", None),
                F::new("audience", "Audience", FieldKind::Text, "The API identifier some providers require (e.g. Auth0's audience)."),
                F::new("resource", "Resource", FieldKind::Text, "RFC 8707 resource indicator, for providers that ask for one."),
                client_auth(),
                token_body(),
                token_field(),
                extra_params(),
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_templates_have_the_contracted_ids() {
        let ids: Vec<&str> = all().iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, [SALESFORCE_CLIENT_CREDENTIALS, SALESFORCE_AUTHORIZATION_CODE, CUSTOM_OAUTH2, CLIENT_CREDENTIALS]);
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

    #[test]
    fn unknown_template_lists_the_known_ones() {
        let err = find("github").unwrap_err().to_string();
        assert!(err.contains("unknown template 'github'"), "{err}");
        assert!(err.contains("custom-oauth2"), "{err}");
    }
}
