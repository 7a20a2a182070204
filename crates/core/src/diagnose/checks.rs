//! The checks a diagnosis makes before and around the exchange: the profile's own values
//! (no request), reaching the host (proxy, DNS, TCP, TLS), and the system clock.

use chrono::{DateTime, Utc};
use url::Url;

use super::Outcome;
use crate::flows::config::FlowConfig;
use crate::flows::gate::{self, Endpoint, Outbound};
use crate::flows::http;
use crate::flows::token;
use crate::model::{warnings, Fields};
use crate::secret::{AccessToken, ClientSecret};
use crate::template::Template;

fn pasted_junk(v: &str) -> Option<&'static str> {
    if v != v.trim() {
        Some("starts or ends with a space or line break")
    } else if v.contains(['\n', '\r', '\t']) {
        Some("contains a line break or tab")
    } else if (v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')) {
        Some("is wrapped in quotes")
    } else {
        None
    }
}

/// Stage 1: the profile itself, before any request.
pub fn profile(template: &'static Template, fields: &Fields, secret: Option<&ClientSecret>) -> (Outcome, Option<FlowConfig>) {
    let cfg = match FlowConfig::new(template, fields) {
        Ok(cfg) => cfg,
        Err(e) => {
            let field = e.field().unwrap_or("profile").to_string();
            return (
                Outcome::fail(
                    e.to_string(),
                    "The profile's settings are wrong.",
                    vec![format!("Edit the profile and correct {field}: {e}")],
                ),
                None,
            );
        }
    };
    let mut notes = Vec::new();
    let label = |name: &str| template.field(name).map(|f| f.label.clone()).unwrap_or_else(|| name.to_string());
    if let Some(why) = pasted_junk(&cfg.client_id) {
        let l = label("client_id");
        return (
            Outcome::fail(
                format!("the {l} {why}"),
                &format!("The {l} was pasted with extra characters."),
                vec![format!("Edit the profile and paste the {l} again, without quotes or spaces.")],
            ),
            Some(cfg),
        );
    }
    let secret_required = crate::profile::secret_needed(template, fields);
    match secret {
        None if secret_required => {
            let l = label("client_secret");
            return (
                Outcome::fail(
                    format!("no {l} is stored"),
                    &format!("The profile has no {l}."),
                    vec![format!("Store the {l} in the profile (it is kept in the OS keyring, never in the profile's fields).")],
                ),
                Some(cfg),
            );
        }
        Some(s) => {
            if let Some(why) = pasted_junk(s.expose()) {
                let l = label("client_secret");
                return (
                    Outcome::fail(
                        format!("the stored {l} {why}"),
                        &format!("The {l} was pasted with extra characters."),
                        vec![format!("Set the {l} again, without quotes, spaces or line breaks.")],
                    ),
                    Some(cfg),
                );
            }
        }
        None => notes.push("no client secret: a public client".to_string()),
    }
    if let Some(scopes) = &cfg.scopes {
        if scopes.contains(',') {
            notes.push(format!("the scopes '{scopes}' contain commas; OAuth separates scopes with spaces"));
        }
    }
    if template.flow.redirects() && cfg.redirect_port != 0 {
        if let Err(e) = std::net::TcpListener::bind(("127.0.0.1", cfg.redirect_port)) {
            return (
                Outcome::fail(
                    format!("redirect port {} on 127.0.0.1 is taken ({e})", cfg.redirect_port),
                    "Another program listens on the redirect port, so the sign-in cannot receive its redirect.",
                    vec!["Close the program that uses the port, or pick another redirect_port (and register that redirect URI with the provider).".into()],
                ),
                Some(cfg),
            );
        }
    }
    for (name, url) in [("token_url", Some(&cfg.token_url)), ("test_url", cfg.test_url.as_ref())] {
        if let Some(u) = url.filter(|u| u.scheme() == "http") {
            notes.push(format!("{name} uses plain http to {} (allowed only on this machine)", u.host_str().unwrap_or_default()));
        }
    }
    let mut ok = Outcome::ok("the settings are complete and well-formed");
    ok.notes = notes;
    (ok, Some(cfg))
}

/// The profile's certificate, when its key is used: expired fails, close to its end (as the
/// connection state's warning says) is noted.
pub fn certificate(cfg: &FlowConfig, ok: Outcome) -> Outcome {
    let used = cfg.client_auth.uses_key() || cfg.template.flow.signs_grant();
    let Some(facts) = cfg.key.as_ref().filter(|_| used).and_then(|k| k.facts().ok().flatten()) else { return ok };
    let days = warnings::days_left(facts.not_after, Utc::now());
    let when = facts.not_after.format("%Y-%m-%d");
    if facts.not_after < Utc::now() {
        return Outcome::fail(
            format!("the profile's certificate ({}) expired on {when}", facts.subject),
            "The certificate of the profile's key has expired: the provider refuses assertions and TLS connections made with it.",
            vec![
                "Make a new key and certificate for the profile (or import a renewed one).".into(),
                "Upload the new certificate to the provider (Salesforce: the app's digital signature; Entra: Certificates & secrets)."
                    .into(),
            ],
        );
    }
    if warnings::certificate_expiring(days) {
        return ok.with_notes(vec![format!(
            "the profile's certificate ({}) expires in {days} days, on {when}: make or import a new one and upload it before then",
            facts.subject
        )]);
    }
    ok
}

/// The proxy that applies to `url` by the usual environment variables, if any.
pub fn proxy_for(url: &Url) -> Option<String> {
    let var = |names: &[&str]| names.iter().find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()));
    let proxy = if url.scheme() == "https" {
        var(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
    } else {
        var(&["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
    }?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let excluded = var(&["NO_PROXY", "no_proxy"]).is_some_and(|list| {
        list.split(',').map(str::trim).filter(|e| !e.is_empty()).any(|e| {
            let e = e.trim_start_matches('.').to_ascii_lowercase();
            e == "*" || host == e || host.ends_with(&format!(".{e}"))
        })
    });
    (!excluded).then(|| without_password(&proxy))
}

/// A proxy URL fit to show: a password in it (`http://user:password@host`) is masked.
fn without_password(proxy: &str) -> String {
    // `user:password@host:port` without a scheme is accepted by most tools, as http.
    let full = if proxy.contains("://") { proxy.to_string() } else { format!("http://{proxy}") };
    match Url::parse(&full) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("****"));
            u.to_string()
        }
        Ok(_) => proxy.to_string(),
        Err(_) if proxy.contains('@') => "(a proxy URL that does not parse)".to_string(),
        Err(_) => proxy.to_string(),
    }
}

fn tls_finding(detail: &str) -> Option<(String, &'static str, Vec<String>)> {
    let d = detail.to_ascii_lowercase();
    // The server's alerts about the client's certificate (mutual TLS, RFC 8705).
    let kind = if d.contains("certificaterequired") || d.contains("certificate required") {
        (
            "the server asks for a client certificate (mutual TLS) and none was presented",
            "TLS: the server requires a client certificate, and the profile does not present one.",
            vec![
                "Set the profile's client authentication to tls_client_auth (or self_signed_tls_client_auth) and import the key and certificate the provider issued or registered.".to_string(),
            ],
        )
    } else if d.contains("badcertificate")
        || d.contains("bad certificate")
        || d.contains("unknownca")
        || d.contains("unknown ca")
        || d.contains("certificateunknown")
    {
        (
            "the server refused the client certificate in the TLS handshake",
            "TLS: the server does not accept the profile's client certificate (not issued by a CA it trusts, not registered, or expired).",
            vec![
                "Import the certificate the provider issued (or register this one with the provider for self_signed_tls_client_auth)."
                    .to_string(),
                "Check the certificate's validity under Keys and certificates.".to_string(),
            ],
        )
    } else if d.contains("unknownissuer") || d.contains("unknown issuer") || d.contains("self-signed") || d.contains("self signed") {
        ("the server's certificate is not signed by an authority this machine trusts (unknown authority)",
         "TLS: the certificate chain is not trusted, as when a corporate proxy intercepts TLS with its own certificate authority.",
         vec!["If a company proxy inspects TLS, install its root certificate in the system trust store (e.g. /usr/local/share/ca-certificates + update-ca-certificates) or ask IT to exempt this host.".to_string(),
              "Otherwise the server presents a self-signed certificate: use the provider's real host name.".to_string()])
    } else if d.contains("expired") || d.contains("notvalidyet") {
        (
            "the server's certificate has expired (or is not valid yet)",
            "TLS: the certificate's validity period does not include now — an expired certificate, or a wrong system clock.",
            vec![
                "Check this machine's date and time.".to_string(),
                "If the clock is right, the provider must renew its certificate.".to_string(),
            ],
        )
    } else if d.contains("notvalidforname") || d.contains("not valid for name") || d.contains("certificate is not valid for") {
        (
            "the server's certificate is for another name",
            "TLS: the certificate does not cover the host name in the URL — a wrong host, or a proxy presenting its own certificate.",
            vec!["Check the host name in the URL (for Salesforce, the My Domain).".to_string()],
        )
    } else if d.contains("certificate") || d.contains("tls") || d.contains("handshake") {
        (
            "the TLS handshake failed",
            "TLS: the secure connection could not be set up.",
            vec!["Check the URL's scheme and port (https on a port that speaks TLS).".to_string()],
        )
    } else {
        return None;
    };
    Some((format!("{}: {detail}", kind.0), kind.1, kind.2))
}

/// Whether every endpoint the profile names is confirmed to receive its credentials: a
/// diagnosis sends nothing where no one confirmed, and says so first.
pub fn confirmed(cfg: &FlowConfig, before: Outcome) -> Outcome {
    let changes = cfg.confirmed.unconfirmed(cfg);
    let Some(first) = changes.first() else { return before };
    let mut fix = vec![
        "If you made or expected this change, confirm it on the profile; nothing is sent there before.".to_string(),
        "If you did not, set the endpoint back: someone or something else changed it.".to_string(),
    ];
    if changes.len() > 1 {
        fix.push(format!(
            "{} endpoints changed in all: {}.",
            changes.len(),
            changes.iter().map(|c| c.destination.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    Outcome::fail(first.describe(), "An endpoint of the profile changed since a person last confirmed where its credentials go.", fix)
        .with_notes(before.notes)
}

/// Stage 2: reaching the token URL's host — proxy, DNS, TCP, then TLS and HTTP.
pub async fn network(cfg: &FlowConfig) -> Outcome {
    let url = &cfg.token_url;
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let timeout = cfg.timeout;
    let mut notes = Vec::new();
    let proxy = proxy_for(url);
    match &proxy {
        Some(p) => notes.push(format!("requests to {host} go through the proxy {p} (HTTPS_PROXY/ALL_PROXY; NO_PROXY does not exclude it)")),
        None => notes.push(format!("no proxy applies to {host}")),
    }
    if proxy.is_none() {
        let addrs = match tokio::time::timeout(timeout, tokio::net::lookup_host((host.as_str(), port))).await {
            Ok(Ok(a)) => a.collect::<Vec<_>>(),
            Ok(Err(e)) => {
                return Outcome::fail(
                    format!("DNS: the name {host} does not resolve ({e})"),
                    "DNS: this machine cannot find the host's address — a typo in the host, or no DNS (offline, VPN needed).",
                    vec![
                        format!("Check the spelling of {host} in the URL."),
                        "Check the network connection, and whether the host needs a VPN.".into(),
                    ],
                )
                .with_notes(notes)
            }
            Err(_) => {
                return Outcome::fail(
                    format!("DNS: looking up {host} took more than {} s", timeout.as_secs()),
                    "DNS: the name server does not answer.",
                    vec!["Check the network connection and DNS settings.".into()],
                )
                .with_notes(notes)
            }
        };
        notes.push(format!("DNS: {host} → {}", addrs.iter().map(|a| a.ip().to_string()).collect::<Vec<_>>().join(", ")));
        let Some(addr) = addrs.first().copied() else {
            return Outcome::fail(
                format!("DNS: {host} has no address"),
                "DNS: the name exists but has no address.",
                vec![format!("Check the host {host}.")],
            )
            .with_notes(notes);
        };
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_)) => notes.push(format!("TCP: {addr} accepts connections")),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Outcome::fail(
                    format!("TCP: connection to {addr} refused"),
                    "Nothing listens on that host and port: the server is down, or the URL's port is wrong.",
                    vec![format!("Check the port in the URL ({port})."), "Check that the server is running.".into()],
                )
                .with_notes(notes)
            }
            Ok(Err(e)) => {
                return Outcome::fail(
                    format!("TCP: cannot connect to {addr}: {e}"),
                    "The host cannot be reached over the network.",
                    vec!["Check the network path (firewall, VPN).".into()],
                )
                .with_notes(notes)
            }
            Err(_) => {
                return Outcome::fail(
                    format!("TCP: no answer from {addr} within {} s", timeout.as_secs()),
                    "The connection attempt goes unanswered, as when a firewall drops it.",
                    vec!["Check firewalls and whether this network may reach the host.".into()],
                )
                .with_notes(notes)
            }
        }
    }
    // TLS (for https) and an HTTP answer of any kind from the server's root.
    let mut root = url.clone();
    root.set_path("/");
    root.set_query(None);
    // A client that proves itself in TLS presents its certificate where it is confirmed to
    // (through the gate); anything else asks as a stranger would, carrying nothing.
    let sent = if cfg.client_auth.uses_tls() && gate::check(cfg, Endpoint::Token, &root, None).is_ok() {
        let out = Outbound {
            endpoint: Endpoint::Token,
            stage: crate::model::Stage::Token,
            method: reqwest::Method::GET,
            url: &root,
            headers: &[],
            body: None,
            instance: None,
        };
        gate::send(cfg, out).await
    } else {
        http::fetch(Some(cfg), timeout, &root, None, crate::model::Stage::Token).await
    };
    match sent {
        Ok(resp) => {
            notes.push(format!(
                "{}: {} answers HTTP {}",
                if url.scheme() == "https" { "TLS and HTTP" } else { "HTTP" },
                root,
                resp.status().as_u16()
            ));
            Outcome::ok(&format!("{host} is reachable")).with_notes(notes)
        }
        Err(crate::Error::Timeout { .. }) => Outcome::fail(
            format!("{host} accepts connections but does not answer within {} s (timeout)", timeout.as_secs()),
            "The server (or a proxy or firewall in between) holds the connection without answering.",
            vec![
                "Try again later; if it persists, check proxies and firewalls between this machine and the host.".into(),
                "Raise the profile's timeout if the server is just slow.".into(),
            ],
        )
        .with_notes(notes),
        Err(err) => {
            let detail = match &err {
                crate::Error::Network { detail, .. } => detail.clone(),
                other => other.to_string(),
            };
            let mut found = tls_finding(&detail);
            if let (Some(f), Some(_)) = (found.as_mut(), &cfg.ca) {
                if f.0.contains("unknown authority") {
                    f.2.insert(0, "The profile trusts its own CA bundle too, and it does not hold the authority that issued this server's certificate: import the right bundle (the issuing CA, or the proxy's CA) under Keys and certificates.".to_string());
                }
            }
            match (found, &proxy) {
                (Some((finding, cause, mut fix)), Some(p)) => {
                    fix.insert(0, format!("Requests go through the proxy {p}: if it inspects TLS, its certificate authority must be trusted here, or {host} added to NO_PROXY."));
                    Outcome::fail(finding, cause, fix).with_notes(notes)
                }
                (Some((finding, cause, fix)), None) => Outcome::fail(finding, cause, fix).with_notes(notes),
                (None, Some(p)) => proxy_finding(p, &host, &detail).with_notes(notes),
                (None, None) => Outcome::fail(
                    format!("cannot reach {host}: {detail}"),
                    "The host cannot be reached.",
                    vec!["Check the URL and the network.".into()],
                )
                .with_notes(notes),
            }
        }
    }
}

/// A request through a proxy failed before TLS: the proxy is unreachable, wants credentials,
/// or will not tunnel to the host.
fn proxy_finding(proxy: &str, host: &str, detail: &str) -> Outcome {
    let d = detail.to_ascii_lowercase();
    let no_proxy = format!("If {host} should be reached directly, add it to NO_PROXY.");
    if d.contains("proxy authorization required") || d.contains("407") {
        return Outcome::fail(
            format!("proxy: {proxy} requires authentication (HTTP 407)"),
            "Proxy: the proxy refuses to forward the request without credentials.",
            vec![format!("Put the proxy's user and password in the proxy URL (http://user:password@host:port) in HTTPS_PROXY, or ask IT which proxy to use."), no_proxy],
        );
    }
    if d.contains("tunnel") {
        return Outcome::fail(
            format!("proxy: {proxy} would not open a tunnel to {host}: {detail}"),
            "Proxy: the proxy does not allow connections to this host (a blocked site or port).",
            vec![format!("Ask IT to allow {host} through the proxy."), no_proxy],
        );
    }
    Outcome::fail(
        format!("proxy: cannot connect through the proxy {proxy}: {detail}"),
        "Proxy: the proxy named in HTTPS_PROXY (or ALL_PROXY) does not accept connections — it is down, or the address is wrong.",
        vec![format!("Check the proxy address in HTTPS_PROXY or ALL_PROXY ({proxy})."), no_proxy],
    )
}

/// Stage 6: the token's JWT times and the server's Date header against this machine's clock.
pub fn clock(access_token: &AccessToken, obtained_at: DateTime<Utc>, server_date: Option<DateTime<Utc>>) -> Outcome {
    const SKEW: i64 = 300;
    let now = obtained_at;
    if let Some(claims) = token::jwt_claims(access_token.expose()) {
        for name in ["iat", "nbf"] {
            if let Some(t) = token::claim_time(&claims, name) {
                let ahead = (t - now).num_seconds();
                if ahead > SKEW {
                    return Outcome::fail(
                        format!("the token's {name} is {ahead} s in the future"),
                        "This machine's clock is behind the provider's: tokens look not yet valid.",
                        vec!["Set the system clock right (enable automatic time / NTP).".into()],
                    );
                }
            }
        }
        if let Some(exp) = token::claim_time(&claims, "exp") {
            if exp < now {
                return Outcome::fail(
                    format!("the token's exp is {} s in the past on arrival", (now - exp).num_seconds()),
                    "This machine's clock is ahead of the provider's: new tokens look expired.",
                    vec!["Set the system clock right (enable automatic time / NTP).".into()],
                );
            }
        }
    }
    if let Some(date) = server_date {
        let skew = (date - now).num_seconds();
        if skew.abs() > SKEW {
            return Outcome::fail(
                format!("the server's clock differs from this machine's by {skew} s"),
                "This machine's clock is wrong, which makes tokens look expired or not yet valid.",
                vec!["Set the system clock right (enable automatic time / NTP).".into()],
            );
        }
        return Outcome::ok(&format!("this machine's clock is within {} s of the server's", skew.abs().max(1)));
    }
    Outcome::ok("no time information to compare")
}

/// The Date header of the newest trace entry that has one.
pub fn server_date(trace: &[crate::flows::trace::TraceEntry]) -> Option<DateTime<Utc>> {
    trace.iter().rev().find_map(|t| {
        t.response_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("date"))
            .and_then(|(_, v)| DateTime::parse_from_rfc2822(v).ok())
            .map(|d| d.with_timezone(&Utc))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_values_are_spotted() {
        assert!(pasted_junk("\"abc\"").is_some());
        assert!(pasted_junk("abc ").is_some());
        assert!(pasted_junk("a\nb").is_some());
        assert!(pasted_junk("3MVG9abc").is_none());
    }

    #[test]
    fn tls_errors_are_told_apart() {
        assert!(tls_finding("invalid peer certificate: UnknownIssuer").unwrap().0.contains("unknown authority"));
        assert!(tls_finding("invalid peer certificate: Expired").unwrap().0.contains("expired"));
        assert!(tls_finding("invalid peer certificate: NotValidForName").unwrap().0.contains("another name"));
        assert!(tls_finding("connection refused").is_none());
        assert!(tls_finding("received fatal alert: CertificateRequired").unwrap().0.contains("client certificate"));
        assert!(tls_finding("received fatal alert: BadCertificate").unwrap().0.contains("refused the client certificate"));
    }

    #[test]
    fn a_clock_far_off_is_named() {
        let now = Utc::now();
        let t = AccessToken::new("opaque");
        assert!(clock(&t, now, Some(now + chrono::Duration::seconds(3600))).finding.contains("differs"));
        assert!(clock(&t, now, Some(now + chrono::Duration::seconds(2))).ok);
    }

    #[test]
    fn a_proxy_password_is_never_shown() {
        assert_eq!(without_password("http://ops:hunter22@proxy.corp:3128"), "http://ops:****@proxy.corp:3128/");
        assert_eq!(without_password("http://proxy.corp:3128"), "http://proxy.corp:3128");
        assert_eq!(without_password("ops:hunter22@proxy.corp:3128"), "http://ops:****@proxy.corp:3128/");
        assert!(!without_password("ops:hunter22@proxy corp").contains("hunter22"));
    }
}
