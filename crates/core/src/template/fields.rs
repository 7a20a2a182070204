//! The fields the templates are built from: each in the provider's own words, with its help
//! (where to find the value), its default and whether it is asked in view.

use super::*;

pub(super) struct F(pub(super) FieldSpec);

impl F {
    pub(super) fn new(name: &str, label: &str, kind: FieldKind, help: &str) -> Self {
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
    pub(super) fn required(mut self) -> Self {
        self.0.required = true;
        self.0.place = Place::Main;
        self
    }
    /// Asked in view, though optional.
    pub(super) fn main(mut self) -> Self {
        self.0.place = Place::Main;
        self
    }
    /// Not asked: the template's grant never reads it.
    pub(super) fn unused(mut self) -> Self {
        self.0.place = Place::Unused;
        self
    }
    /// The value a blank field stands for; the empty input shows it, not an example.
    pub(super) fn default(mut self, value: &str) -> Self {
        self.0.default = Some(value.into());
        self.0.placeholder = None;
        self
    }
    pub(super) fn placeholder(mut self, value: &str) -> Self {
        self.0.placeholder = Some(value.into());
        self
    }
}

pub(super) fn choice(options: &[(&str, &str)]) -> FieldKind {
    FieldKind::Choice { options: options.iter().map(|(v, l)| ChoiceOption { value: (*v).into(), label: (*l).into() }).collect() }
}

pub(super) fn environment() -> F {
    F::new(
        "environment",
        "Environment",
        choice(&[("production", "Production / Developer Edition"), ("sandbox", "Sandbox")]),
        "Production and Developer Edition orgs sign in at login.salesforce.com, sandboxes at test.salesforce.com.",
    )
    .default("production")
    .main()
}

pub(super) fn client_auth(default: &str) -> F {
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

pub(super) fn algorithm() -> F {
    F::new(
        "algorithm",
        "Signing algorithm",
        choice(&[("", "By the key (RS256 for RSA, ES256 for P-256)"), ("rs256", "RS256"), ("ps256", "PS256"), ("es256", "ES256")]),
        "How assertions are signed with the profile's key. Blank: RS256 for an RSA key, ES256 for a P-256 key.",
    )
}

/// The provider whose knowledge Diagnose uses: recognised from the URLs, or set here when
/// the provider sits behind the company's own domain.
pub(super) fn provider() -> F {
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

pub(super) fn token_body() -> F {
    F::new(
        "token_body",
        "Token request body",
        choice(&[("form", "Form (application/x-www-form-urlencoded)"), ("json", "JSON (application/json)")]),
        "OAuth 2.0 sends a form; a few APIs want the token request as JSON.",
    )
    .default("form")
}

pub(super) fn token_field() -> F {
    F::new(
        "token_field",
        "Access-token field",
        FieldKind::Text,
        "The field of the token response that holds the access token. Blank: access_token.",
    )
    .placeholder("access_token")
}

pub(super) fn token_url() -> F {
    F::new("token_url", "Token URL", FieldKind::Url, "The provider's token endpoint.")
        .required()
        .placeholder("https://auth.example.com/oauth/token")
}

pub(super) fn client_id() -> F {
    F::new("client_id", "Client ID", FieldKind::Text, "From the app registration in the provider's console.").required()
}

pub(super) fn extra_params() -> F {
    F::new("extra_params", "Extra token parameters", FieldKind::Params, "Additional parameters sent with the token request, as k=v&k2=v2.")
}

pub(super) fn pkce() -> F {
    F::new(
        "pkce",
        "PKCE (S256)",
        FieldKind::Bool,
        "Proof Key for Code Exchange protects the authorization code. Leave it on unless the provider rejects it.",
    )
    .default("true")
}

pub(super) fn redirect_port(default: &str) -> F {
    F::new(
        "redirect_port",
        "Redirect port",
        FieldKind::Port,
        "Port of the loopback redirect http://127.0.0.1:<port><path>. 0 picks a free port each time; set a fixed port when the provider needs the exact redirect URI registered.",
    )
    .default(default)
}

pub(super) fn redirect_path() -> F {
    F::new("redirect_path", "Redirect path", FieldKind::Path, "Path of the loopback redirect URI.").default("/callback")
}

pub(super) fn scopes(help: &str, default: Option<&str>) -> F {
    let f = F::new("scopes", "Scopes", FieldKind::Scopes, help).main();
    match default {
        Some(d) => f.default(d),
        None => f.placeholder("openid profile"),
    }
}

/// Fields every template has: the test call, the host whitelist and the optional endpoints.
pub(super) fn common() -> Vec<F> {
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
