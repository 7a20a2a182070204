//! A profile for a test, made through the CLI or sent as the window's JSON.

use std::path::Path;

use serde_json::{Map, Value};

use super::{oauthdesk_env, ok, Run, Server};

/// A profile for a test: the template, handle, optional label, fields and secret, created
/// through the CLI (`add`, `try_add`) or sent as the window's `NewProfile` JSON (`json`).
#[derive(Clone, Debug)]
pub struct TestProfile {
    template: String,
    handle: String,
    label: Option<String>,
    fields: Vec<(String, String)>,
    secret: Option<String>,
}

impl TestProfile {
    pub fn new(template: &str, handle: &str) -> TestProfile {
        TestProfile { template: template.into(), handle: handle.into(), label: None, fields: Vec::new(), secret: None }
    }

    /// `client-credentials` against `token_url`.
    pub fn client_credentials(handle: &str, token_url: &str, client_id: &str) -> TestProfile {
        TestProfile::new("client-credentials", handle).set("token_url", token_url).set("client_id", client_id)
    }

    /// `salesforce-client-credentials` for the org at `my_domain` (e.g. `StandIn::url("")`).
    pub fn salesforce_client_credentials(handle: &str, my_domain: &str, consumer_key: &str) -> TestProfile {
        TestProfile::new("salesforce-client-credentials", handle).set("my_domain", my_domain).set("client_id", consumer_key)
    }

    /// `custom-oauth2` (authorization code) against npm's oidc-provider (`oidc.mjs`), with
    /// revocation and a refresh token (`offline_access`).
    pub fn custom_oauth2(handle: &str, idp: &Server, client_id: &str) -> TestProfile {
        TestProfile::new("custom-oauth2", handle)
            .set("authorize_url", idp.url("/auth"))
            .set("token_url", idp.url("/token"))
            .set("revoke_url", idp.url("/token/revocation"))
            .set("client_id", client_id)
            .set("scopes", "openid offline_access api")
    }

    /// Sets a field, replacing an earlier value of the same field.
    pub fn set(mut self, field: &str, value: impl Into<String>) -> TestProfile {
        let value = value.into();
        match self.fields.iter_mut().find(|(name, _)| name == field) {
            Some(entry) => entry.1 = value,
            None => self.fields.push((field.into(), value)),
        }
        self
    }

    pub fn label(mut self, label: &str) -> TestProfile {
        self.label = Some(label.into());
        self
    }

    /// The client secret, passed on standard input (`--secret-stdin`) exactly as given.
    pub fn secret(mut self, secret: impl Into<String>) -> TestProfile {
        self.secret = Some(secret.into());
        self
    }

    /// The arguments of `oauthdesk add` for this profile.
    pub fn add_args(&self) -> Vec<String> {
        let mut args = vec!["add".to_string(), self.template.clone(), "--handle".into(), self.handle.clone()];
        if let Some(label) = &self.label {
            args.extend(["--label".into(), label.clone()]);
        }
        for (field, value) in &self.fields {
            args.extend(["--set".into(), format!("{field}={value}")]);
        }
        if self.secret.is_some() {
            args.push("--secret-stdin".into());
        }
        args
    }

    /// Runs `oauthdesk add` and asserts that it succeeded.
    pub fn add(&self, data_dir: &Path) -> Run {
        ok(self.try_add(data_dir))
    }

    /// Runs `oauthdesk add` whatever comes of it, for tests that expect a failure.
    pub fn try_add(&self, data_dir: &Path) -> Run {
        self.try_add_env(data_dir, &[])
    }

    /// `try_add` with extra environment variables.
    pub fn try_add_env(&self, data_dir: &Path, env: &[(&str, &str)]) -> Run {
        let args = self.add_args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        oauthdesk_env(data_dir, &args, self.secret.as_deref(), env)
    }

    /// The profile as the window sends it (`NewProfile`): `{template, handle, label?, fields,
    /// client_secret?}`.
    pub fn json(&self) -> Value {
        let fields: Map<String, Value> = self.fields.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
        let mut p = serde_json::json!({ "template": self.template, "handle": self.handle, "fields": fields });
        if let Some(label) = &self.label {
            p["label"] = Value::from(label.as_str());
        }
        if let Some(secret) = &self.secret {
            p["client_secret"] = Value::from(secret.as_str());
        }
        p
    }
}
