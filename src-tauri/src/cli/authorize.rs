//! `authorize`, `revoke` and `discover`: the sign-in (in a browser or with a device code, as
//! the profile's grant does it) and the tools around it.

use std::time::Duration;

use clap::Args;
use oauthdesk_core::Desk;
use oauthdesk_core::Discovery;
use oauthdesk_core::SignInStart;

use super::block_on;
use super::connect::print_token;
use super::Out;
use crate::browser;
use crate::error::AppResult;

#[derive(Args, Debug)]
pub struct AuthorizeArgs {
    /// The profile's handle
    pub handle: String,
    /// Do not open a browser: print the authorization URL alone on the first line, then wait
    #[arg(long)]
    pub no_browser: bool,
    /// Give up after this many seconds
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub timeout: u64,
}

pub fn authorize(desk: &Desk, out: &Out, a: AuthorizeArgs) -> AppResult<()> {
    let json = out.json;
    let device = std::cell::Cell::new(false);
    let on_start = |start: SignInStart<'_>| match start {
        SignInStart::Browser(url) if a.no_browser => super::emit(&format!("{url}\n")),
        SignInStart::Browser(url) => {
            let opened = browser::open(url);
            let how = if opened { "Your browser should open; if it does not, visit" } else { "Open this URL in your browser" };
            super::emit_err(&format!("{how}:\n{url}\nWaiting for the sign-in (Ctrl-C cancels)…\n"));
        }
        // The verification URL and the user code first (one JSON object with `--json`).
        SignInStart::Device(s) => {
            device.set(true);
            if json {
                super::emit(&format!("{}\n", serde_json::to_string(s).unwrap_or_default()));
            } else {
                super::emit(&format!("{}\n{}\n", s.verification_uri, s.user_code));
                super::emit_err(&format!(
                    "Open the address above on any device and enter the code (it expires in {} s). Waiting (Ctrl-C cancels)…\n",
                    s.expires_in
                ));
            }
        }
    };
    // Ctrl-C cancels through the desk, as the window's Cancel does.
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
        desk.cancel(&a.handle);
        std::future::pending::<()>().await;
    };
    let sign_in = desk.sign_in(&a.handle, Duration::from_secs(a.timeout.max(1)), on_start);
    let token = block_on(async {
        tokio::select! {
            biased;
            token = sign_in => token,
            () = ctrl_c => Err(oauthdesk_core::Error::Cancelled),
        }
    })??;
    if device.get() {
        print_token(out, &token, || {
            format!("Authorized '{}' on another device; refresh token: {}.", a.handle, if token.info.refresh_token { "yes" } else { "no" })
        });
        return Ok(());
    }
    print_token(out, &token, || {
        let i = &token.info;
        let expiry = i.expires_in().map(|s| format!("expires in {}m {}s", s / 60, s % 60)).unwrap_or_else(|| "expiry unknown".into());
        format!(
            "Authorized '{}': scope {}, {expiry}, refresh token: {}.",
            a.handle,
            i.scope.as_deref().unwrap_or("(none said)"),
            if i.refresh_token { "yes" } else { "no" }
        )
    });
    Ok(())
}

pub fn revoke(desk: &Desk, out: &Out, handle: &str) -> AppResult<()> {
    let r = block_on(desk.revoke(handle))??;
    out.print(&r, || {
        let mut s = if r.revoked.is_empty() { String::new() } else { format!("Revoked at the provider: {}.\n", r.revoked.join(", ")) };
        if r.forgotten {
            s.push_str(&format!("Forgot the tokens of '{handle}'.\n"));
        }
        if let Some(n) = &r.note {
            s.push_str(n);
        }
        s
    });
    Ok(())
}

#[derive(Args, Debug)]
pub struct DiscoverArgs {
    /// The issuer URL, e.g. https://auth.example.com
    pub issuer: String,
    /// Compare with this profile (client authentication, PKCE)
    #[arg(long, value_name = "HANDLE")]
    pub profile: Option<String>,
    /// Fill the profile's endpoint URLs from the metadata (needs --profile)
    #[arg(long, requires = "profile")]
    pub apply: bool,
    /// With --apply: confirm that the profile's credentials may go to the endpoints the
    /// metadata names (without it, a new or changed endpoint waits for `edit --confirm-origins`)
    #[arg(long, requires = "apply")]
    pub confirm_origins: bool,
}

pub fn discover(desk: &Desk, out: &Out, a: DiscoverArgs) -> AppResult<()> {
    let d: Discovery = block_on(desk.discover(&a.issuer, a.profile.as_deref(), a.apply))??;
    let unconfirmed = match (&a.profile, a.apply) {
        (Some(h), true) if a.confirm_origins => {
            desk.confirm_origins(h, None)?;
            Vec::new()
        }
        (Some(h), true) => desk.get(h)?.unconfirmed,
        _ => Vec::new(),
    };
    out.print(&d, || {
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        let mut s = format!("issuer            {}\nfrom              {}\n", d.issuer, d.source);
        s += &format!("authorization     {}\ntoken             {}\n", opt(&d.authorization_endpoint), opt(&d.token_endpoint));
        s += &format!("revocation        {}\nintrospection     {}\n", opt(&d.revocation_endpoint), opt(&d.introspection_endpoint));
        s += &format!("userinfo          {}\n", opt(&d.userinfo_endpoint));
        s += &format!("client auth       {}\n", d.token_endpoint_auth_methods_supported.join(", "));
        s += &format!("PKCE methods      {}\n", d.code_challenge_methods_supported.join(", "));
        for w in &d.warnings {
            s += &format!("warning: {w}\n");
        }
        if a.apply {
            let h = a.profile.as_deref().unwrap_or_default();
            s += &format!("Filled the endpoint URLs of '{h}'.\n");
            for change in &unconfirmed {
                s += &format!("Not confirmed: {change}.\n");
            }
            if !unconfirmed.is_empty() {
                s += &format!("Nothing is sent there until you confirm: oauthdesk edit {h} --confirm-origins\n");
            }
        }
        s
    });
    Ok(())
}
