//! `credential git` and `credential kube`: a profile's token for Git (its credential helper
//! protocol) and for kubectl (an exec credential plugin). Both get the token the way `exec`
//! does ([`super::exec::handed_token`]) and hand it over only for a place the profile's
//! token may go: the host Git asks for, the cluster kubectl names (or `--for`).

use clap::{Args, Subcommand};
use oauthdesk_core::{Desk, Error};
use serde_json::json;
use url::Url;

use super::exec::handed_token;
use super::{emit_err, emit_secret};
use crate::error::AppResult;

/// The user name Git sends with the token when neither Git nor `--username` gives one:
/// the one GitLab documents for OAuth tokens; Bitbucket, Gitea and Azure DevOps accept any
/// name, GitHub wants `x-access-token` (a GitHub App's token), given with `--username`.
pub const GIT_USERNAME: &str = "oauth2";

/// The most Git's request may hold (it is a few short lines).
const MAX_REQUEST: usize = 64 * 1024;

#[derive(Subcommand, Debug)]
pub enum CredentialCommand {
    /// Git's credential helper: `git config credential.https://HOST.helper "!oauthdesk credential git H"`
    Git(GitArgs),
    /// kubectl's exec credential plugin: prints an ExecCredential (client.authentication.k8s.io/v1)
    Kube(KubeArgs),
}

#[derive(Args, Debug)]
pub struct GitArgs {
    /// The profile's handle
    pub handle: String,
    /// What Git asks: get (the token), erase (the server refused it), store (ignored)
    pub action: String,
    /// The user name sent with the token, when Git's request names none
    #[arg(long, default_value = GIT_USERNAME, value_name = "NAME")]
    pub username: String,
}

#[derive(Args, Debug)]
pub struct KubeArgs {
    /// The profile's handle
    pub handle: String,
    /// Hand the token over only if it may be sent here [default: the cluster's server, when
    /// the kubeconfig's exec block has provideClusterInfo: true]
    #[arg(long = "for", value_name = "URL")]
    pub to: Option<Url>,
}

pub fn credential(desk: &Desk, cmd: CredentialCommand) -> AppResult<i32> {
    match cmd {
        CredentialCommand::Git(a) => git(desk, a),
        CredentialCommand::Kube(a) => kube(desk, a),
    }
}

/// Git's request: `key=value` lines up to a blank line or the end (git-credential(1)).
fn read_request(input: impl std::io::BufRead) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut total = 0usize;
    for line in input.lines().map_while(Result::ok) {
        total = total.saturating_add(line.len() + 1);
        if line.is_empty() || total > MAX_REQUEST {
            break;
        }
        if let Some((k, v)) = line.split_once('=') {
            out.push((k.to_string(), v.to_string()));
        }
    }
    out
}

/// The URL Git will send the credential to, from its request's protocol, host and path.
fn git_url(request: &[(String, String)]) -> Option<Url> {
    let get = |key: &str| request.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let (protocol, host) = (get("protocol")?, get("host")?);
    if !matches!(protocol, "https" | "http") || host.is_empty() || host.contains(['/', '@', '?', '#']) {
        return None;
    }
    Url::parse(&format!("{protocol}://{host}/{}", get("path").unwrap_or_default())).ok()
}

fn git(desk: &Desk, a: GitArgs) -> AppResult<i32> {
    let request = read_request(std::io::stdin().lock());
    let get = |key: &str| request.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    match a.action.as_str() {
        "get" => {
            let Some(url) = git_url(&request) else {
                // Not a web URL: not a request OAuth Desk answers; Git asks its next helper.
                emit_err("oauthdesk: credential git: Git asked for no http(s) host; nothing was handed over\n");
                return Ok(0);
            };
            let token = handed_token(desk, &a.handle, Some(&url))?;
            let username = get("username").filter(|u| !u.is_empty()).unwrap_or(a.username);
            let mut answer = format!("username={username}\npassword={}\n", token.access_token.expose());
            if let Some(at) = token.info.expires_at {
                answer.push_str(&format!("password_expiry_utc={}\n", at.timestamp()));
            }
            emit_secret(&answer);
        }
        "erase" => {
            desk.token_refused(&a.handle, get("password").as_deref())?;
        }
        // `store` and any action Git adds later: nothing to keep (the token is OAuth Desk's).
        _ => {}
    }
    Ok(0)
}

/// What kubectl tells its plugin (`KUBERNETES_EXEC_INFO`): the API version it expects back
/// and, with provideClusterInfo, the cluster's server.
fn exec_info() -> (String, Option<Url>) {
    let info: serde_json::Value =
        std::env::var("KUBERNETES_EXEC_INFO").ok().and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
    let version = match info.get("apiVersion").and_then(|v| v.as_str()) {
        Some(v @ "client.authentication.k8s.io/v1beta1") => v.to_string(),
        _ => "client.authentication.k8s.io/v1".to_string(),
    };
    let server = info.pointer("/spec/cluster/server").and_then(|v| v.as_str()).and_then(|s| Url::parse(s).ok());
    (version, server)
}

fn kube(desk: &Desk, a: KubeArgs) -> AppResult<i32> {
    let (version, server) = exec_info();
    let to = a.to.or(server);
    let token = handed_token(desk, &a.handle, to.as_ref())?;
    let mut status = serde_json::Map::new();
    status.insert("token".into(), json!(token.access_token.expose()));
    if let Some(at) = token.info.expires_at {
        status.insert("expirationTimestamp".into(), json!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
    }
    let credential = json!({ "apiVersion": version, "kind": "ExecCredential", "status": status });
    let text = serde_json::to_string(&credential).map_err(|e| Error::Internal(e.to_string()))?;
    emit_secret(&format!("{text}\n"));
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::{git_url, read_request};

    #[test]
    fn gits_request_is_read_to_the_blank_line_and_names_the_url() {
        let text = "capability[]=authtype\nprotocol=https\nhost=git.example.org:8443\npath=team/repo.git\nwwwauth[]=Basic realm=\"x\"\n\nprotocol=http\n";
        let r = read_request(text.as_bytes());
        assert_eq!(r.len(), 5);
        assert_eq!(git_url(&r).unwrap().as_str(), "https://git.example.org:8443/team/repo.git");
        for (protocol, host) in [("ssh", "h"), ("https", ""), ("https", "a@b"), ("https", "a/b"), ("cert", "h")] {
            let r = read_request(format!("protocol={protocol}\nhost={host}\n").as_bytes());
            assert!(git_url(&r).is_none(), "{protocol} {host}");
        }
        let long = format!("protocol=https\n{}host=h\n", "x=y\n".repeat(20_000));
        assert!(git_url(&read_request(long.as_bytes())).is_none(), "a request past the bound is cut");
    }
}
