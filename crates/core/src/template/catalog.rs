//! The templates themselves: every field's label in the provider's own words, its help
//! (where to find the value), its default, and which templates have it. Data, built once.

use super::fields::*;
use super::*;

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
