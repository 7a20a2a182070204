//! `oauthdesk sandbox`: a local OAuth 2.0 provider to try OAuth Desk against and to practise
//! diagnosing providers' failures (see `oauthdesk_sandbox`). The first line it prints is
//! `ready <issuer URL>`, once it listens; it runs until Ctrl+C (or SIGTERM).

use std::fmt::Write as _;

use oauthdesk_core::Desk;
use oauthdesk_sandbox::{Face, Options, Sandbox};
use serde::Serialize;

use super::block_on;
use super::{emit, Out};
use crate::error::{AppError, AppResult};

#[derive(clap::Args, Debug)]
pub struct SandboxArgs {
    /// The port on 127.0.0.1 (0 = any free port)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Start in a failure mode: a knowledge-base entry's id (list them with --modes)
    #[arg(long, value_name = "ID")]
    pub mode: Option<String>,
    /// List the failure modes and exit
    #[arg(long)]
    pub modes: bool,
    /// Also create (or bring up to date) the sandbox's profiles in the store
    #[arg(long)]
    pub profiles: bool,
    /// Access tokens' lifetime, in seconds (1 to 86400)
    #[arg(long, default_value_t = 3600, value_name = "SECONDS")]
    pub token_lifetime: u64,
}

fn sandbox_error(e: oauthdesk_sandbox::Error) -> AppError {
    let field = match e {
        oauthdesk_sandbox::Error::Mode(_) => "mode",
        _ => "port",
    };
    oauthdesk_core::Error::invalid(field, e.to_string()).into()
}

pub fn modes(out: &Out) -> AppResult<i32> {
    let modes = oauthdesk_sandbox::modes();
    out.print(&modes, || {
        // Under a heading per provider and stage (the sandbox sorts them so), each by its id
        // (what --mode takes) and what is wrong in words.
        let mut s = String::new();
        let mut group = "";
        for m in &modes {
            if m.group != group {
                group = &m.group;
                let _ = writeln!(s, "{}{group}", if s.is_empty() { "" } else { "\n" });
            }
            let _ = writeln!(s, "  {:<46} {}", m.id, m.title);
        }
        s
    });
    Ok(0)
}

#[derive(Serialize)]
struct Ready<'a> {
    issuer: &'a str,
    clients: &'a [oauthdesk_sandbox::DemoClient],
    mode: Option<String>,
    profiles: &'a [String],
}

pub fn run(desk: Option<&Desk>, out: &Out, a: SandboxArgs) -> AppResult<i32> {
    if a.modes {
        return modes(out);
    }
    block_on(async move {
        let mode = a.mode.clone();
        let options = Options { port: a.port, mode: a.mode, token_lifetime: a.token_lifetime };
        let sandbox = Sandbox::start(options).await.map_err(sandbox_error)?;
        let profiles = match desk {
            Some(desk) => {
                let mut tried = oauthdesk_sandbox::install(desk, &sandbox)?;
                tried.extend(oauthdesk_sandbox::install_for_mode(desk, &sandbox, mode.as_deref())?);
                tried
            }
            None => Vec::new(),
        };
        emit(&format!("ready {}\n", sandbox.issuer()));
        let ready = Ready { issuer: sandbox.issuer(), clients: sandbox.clients(), mode: sandbox.mode(), profiles: &profiles };
        if out.json {
            emit(&format!("{}\n", serde_json::to_string(&ready).unwrap_or_default()));
        } else {
            emit(&describe(&sandbox, &ready));
        }
        stopped().await;
        Ok(0)
    })?
}

fn describe(sandbox: &Sandbox, ready: &Ready<'_>) -> String {
    let mut s = String::new();
    for c in ready.clients {
        let _ = writeln!(s, "client {}  secret {}  ({}; scopes: {})", c.client_id, c.client_secret, c.grants.join(", "), c.scopes);
    }
    let _ = writeln!(s, "token URL      {}", sandbox.url(Face::Generic, "token"));
    let _ = writeln!(s, "authorize URL  {}", sandbox.url(Face::Generic, "authorize"));
    let _ = writeln!(s, "test URL       {}/me", sandbox.issuer());
    let _ = writeln!(s, "as Salesforce  {}", sandbox.url(Face::Salesforce, "token"));
    let _ = writeln!(s, "as Keycloak    {}", sandbox.url(Face::Keycloak, "token"));
    let _ = writeln!(s, "metadata       {}/.well-known/oauth-authorization-server", sandbox.issuer());
    let _ = writeln!(
        s,
        "failure mode   {} (switch: curl -d mode=ID {}/sandbox/mode; list: oauthdesk sandbox --modes)",
        ready.mode.as_deref().unwrap_or("none"),
        sandbox.issuer()
    );
    if !ready.profiles.is_empty() {
        let _ = writeln!(s, "profiles       {}", ready.profiles.join(", "));
    }
    s.push_str("Stop with Ctrl+C.\n");
    s
}

/// Until Ctrl+C or SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
