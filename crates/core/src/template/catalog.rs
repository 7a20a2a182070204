//! The templates themselves: every field's label in the provider's own words, its help
//! (where to find the value), its default, and which templates have it. Data, built once.

use super::*;

struct F(FieldSpec);

impl F {
    fn new(name: &str, label: &str, kind: FieldKind, help: &str) -> Self {
        // A secret is asked in view: it is the one thing no default stands for.
        let place = if kind == FieldKind::Secret { Place::Main } else { Place::Advanced };
        F(FieldSpec {
            name: name.into(),
            label: label.into(),
            help: help.into(),
            kind,
            required: false,
            default: None,
            placeholder: None,
            place,
        })
    }
    fn required(mut self) -> Self {
        self.0.required = true;
        self.0.place = Place::Main;
        self
    }
    /// Asked in view, though optional.
    fn main(mut self) -> Self {
        self.0.place = Place::Main;
        self
    }
    /// Not asked: the template's grant never reads it.
    fn unused(mut self) -> Self {
        self.0.place = Place::Unused;
        self
    }
    /// The value a blank field stands for; the empty input shows it, not an example.
    fn default(mut self, value: &str) -> Self {
        self.0.default = Some(value.into());
        self.0.placeholder = None;
        self
    }
    fn placeholder(mut self, value: &str) -> Self {
        self.0.placeholder = Some(value.into());
        self
    }
}

fn choice(options: &[(&str, &str)]) -> FieldKind {
    FieldKind::Choice { options: options.iter().map(|(v, l)| ChoiceOption { value: (*v).into(), label: (*l).into() }).collect() }
}

fn environment() -> F {
    F::new(
        "environment",
        "Environment",
        choice(&[("production", "Production / Developer Edition"), ("sandbox", "Sandbox")]),
        "Production and Developer Edition orgs sign in at login.salesforce.com, sandboxes at test.salesforce.com.",
    )
    .default("production")
    .main()
}

fn client_auth(default: &str) -> F {
    F::new(
        "client_auth",
        "Client authentication",
        choice(&[
            ("basic", "HTTP Basic (client_secret_basic)"),
            ("post", "In the request body (client_secret_post)"),
            ("private_key_jwt", "Signed with the profile's key (private_key_jwt)"),
            ("client_secret_jwt", "Signed with the secret (client_secret_jwt)"),
            ("tls_client_auth", "Mutual TLS, CA-issued certificate (tls_client_auth)"),
            ("self_signed_tls_client_auth", "Mutual TLS, self-signed certificate (self_signed_tls_client_auth)"),
            ("none", "None (public client)"),
        ]),
        "How the client proves itself to the token URL. The provider's documentation (or its discovery document's token_endpoint_auth_methods_supported) says which it accepts. The key-based methods use the profile's key: generate or import it under Keys.",
    )
    .default(default)
}

fn algorithm() -> F {
    F::new(
        "algorithm",
        "Signing algorithm",
        choice(&[("", "By the key (RS256 for RSA, ES256 for P-256)"), ("rs256", "RS256"), ("ps256", "PS256"), ("es256", "ES256")]),
        "How assertions are signed with the profile's key. Blank: RS256 for an RSA key, ES256 for a P-256 key.",
    )
}

/// The provider whose knowledge Diagnose uses: recognised from the URLs, or set here when
/// the provider sits behind the company's own domain.
fn provider() -> F {
    let mut options = vec![ChoiceOption { value: "auto".into(), label: "Recognise from the token URL".into() }];
    options.extend(crate::knowledge::providers().iter().map(|p| ChoiceOption { value: p.id.clone(), label: p.name.clone() }));
    F::new(
        "provider",
        "Provider",
        FieldKind::Choice { options },
        "Whose error codes Diagnose reads. Recognised from the token URL (e.g. login.microsoftonline.com, *.okta.com); choose it when the provider answers on your own domain.",
    )
    .default("auto")
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

fn token_url() -> F {
    F::new("token_url", "Token URL", FieldKind::Url, "The provider's token endpoint.")
        .required()
        .placeholder("https://auth.example.com/oauth/token")
}

fn client_id() -> F {
    F::new("client_id", "Client ID", FieldKind::Text, "From the app registration in the provider's console.").required()
}

fn extra_params() -> F {
    F::new("extra_params", "Extra token parameters", FieldKind::Params, "Additional parameters sent with the token request, as k=v&k2=v2.")
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
    let f = F::new("scopes", "Scopes", FieldKind::Scopes, help).main();
    match default {
        Some(d) => f.default(d),
        None => f.placeholder("openid profile"),
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
        .placeholder("https://api.example.com/me")
        .main(),
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
    let mut fields: Vec<FieldSpec> = fields.into_iter().chain(common()).map(|f| f.0).collect();
    super::secret_expiry::add(&mut fields, flow);
    let (legacy, facts) = (flow == Flow::Password, providers::rules(None).facts());
    let mut t = Template {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        flow,
        fields,
        legacy,
        provider: None,
        facts,
        capabilities: flow.capabilities(),
        references: Vec::new(),
    };
    t.references = t.reference_fields();
    t
}

/// A template that follows Salesforce's rules.
fn salesforce(id: &str, name: &str, description: &str, flow: Flow, fields: Vec<F>) -> Template {
    let provider = ProviderId::Salesforce;
    Template { provider: Some(provider), facts: provider.rules().facts(), ..template(id, name, description, flow, fields) }
}

pub(super) fn build() -> Vec<Template> {
    let sf_key_help = "Setup → External Client App Manager → your app → Settings → OAuth Settings → Consumer Key and Secret.";
    vec![
        salesforce(
            SALESFORCE_CLIENT_CREDENTIALS,
            "Salesforce (External Client App, client credentials)",
            "Server-to-server access as the app's Run As user. Needs the org's My Domain URL; no username, password or security token.",
            Flow::ClientCredentials,
            vec![
                environment().unused(),
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
        salesforce(
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
                .placeholder("https://your-domain.my.salesforce.com")
                .main(),
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
                client_id(),
                F::new("client_secret", "Client secret", FieldKind::Secret, "From the app registration. Leave blank for a public (native) client."),
                scopes("Space-separated scopes.", None),
                pkce(),
                redirect_port("0"),
                redirect_path(),
                client_auth("basic"),
                algorithm(),
                token_body(),
                token_field(),
                extra_params(),
                provider(),
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
                client_id(),
                F::new("client_secret", "Client secret", FieldKind::Secret, "From the app registration.").required(),
                scopes("Space-separated scopes.", None),
                F::new("audience", "Audience", FieldKind::Text, "The API identifier some providers require (e.g. Auth0's audience)."),
                F::new("resource", "Resource", FieldKind::Text, "RFC 8707 resource indicator, for providers that ask for one."),
                client_auth("basic"),
                algorithm(),
                token_body(),
                token_field(),
                extra_params(),
                provider(),
            ],
        ),
        salesforce(
            SALESFORCE_JWT_BEARER,
            "Salesforce (JWT bearer, certificate)",
            "Server-to-server access as a named user, signed with a certificate's key: generate or import the key under Keys and upload its certificate to the app (Use digital signatures). The user must be pre-authorized for the app.",
            Flow::JwtBearer,
            vec![
                environment(),
                F::new(
                    "my_domain",
                    "My Domain URL",
                    FieldKind::Url,
                    "Optional: request the token from your My Domain instead of login.salesforce.com / test.salesforce.com.",
                )
                .placeholder("https://your-domain.my.salesforce.com")
                .main(),
                F::new("client_id", "Consumer Key", FieldKind::Text, "The app's Consumer Key: the JWT's issuer (iss).").required(),
                F::new("username", "Username", FieldKind::Text, "The Salesforce username the token is for: the JWT's subject (sub).").required(),
                F::new(
                    "audience",
                    "Audience",
                    FieldKind::Text,
                    "The JWT's aud. Blank: https://login.salesforce.com, or https://test.salesforce.com for a sandbox (an Experience Cloud site's URL for site users).",
                ),
                scopes("Scopes come from the app's settings; leave blank unless told otherwise.", None),
            ],
        ),
        template(
            JWT_BEARER,
            "JWT bearer (generic)",
            "Any provider that takes a signed JWT as the grant (RFC 7523): the profile's key signs issuer, subject, audience and your claims.",
            Flow::JwtBearer,
            vec![
                token_url(),
                F::new(
                    "client_id",
                    "Client ID",
                    FieldKind::Text,
                    "The client the provider knows, sent when the client authenticates. Blank: the issuer.",
                ),
                F::new("issuer", "Issuer (iss)", FieldKind::Text, "Who issues the JWT: often the client ID or a service account's address.").required(),
                F::new("subject", "Subject (sub)", FieldKind::Text, "Whom the token is for: a user or the client itself.").required(),
                F::new("audience", "Audience (aud)", FieldKind::Text, "Whom the JWT is for. Blank: the token URL."),
                F::new("claims", "Extra claims", FieldKind::Text, "More claims as a JSON object, e.g. {\"scope\": \"read\"}."),
                scopes("Space-separated scopes, sent as the scope parameter.", None),
                algorithm(),
                client_auth("none"),
                provider(),
            ],
        ),
        template(
            DEVICE_CODE,
            "Device code (sign in on another device)",
            "For providers with the device flow (RFC 8628): OAuth Desk shows a code and a web address; you approve on any device, and the token arrives here.",
            Flow::DeviceCode,
            vec![
                F::new("device_authorization_url", "Device authorization URL", FieldKind::Url, "The provider's device_authorization_endpoint.")
                    .required()
                    .placeholder("https://auth.example.com/oauth/device/code"),
                token_url(),
                client_id(),
                F::new("client_secret", "Client secret", FieldKind::Secret, "Only for a confidential client; device apps are usually public."),
                scopes("Space-separated scopes.", None),
                client_auth("none"),
                algorithm(),
                provider(),
            ],
        ),
        template(
            PASSWORD,
            "Password grant (legacy)",
            "Legacy, for reproducing integrations that still use it: the user's password goes to the token endpoint (RFC 6749 §4.3). OAuth 2.1 drops it; Salesforce blocks it in new orgs and retires it for Connected Apps in 2027. Prefer client credentials, JWT bearer or the authorization code.",
            Flow::Password,
            vec![
                token_url(),
                client_id(),
                F::new("username", "Username", FieldKind::Text, "The user whose password is sent.").required(),
                F::new(
                    "client_secret",
                    "Password",
                    FieldKind::Secret,
                    "The user's password (for Salesforce, followed by the security token). Sealed like a secret; never a field.",
                )
                .required(),
                scopes("Space-separated scopes.", None),
                client_auth("none"),
                algorithm(),
                provider(),
            ],
        ),
    ]
}
