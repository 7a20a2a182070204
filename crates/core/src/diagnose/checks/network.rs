//! Stage 2: reaching the token URL's host — the proxy that applies, DNS, TCP, then TLS and an
//! HTTP answer of any kind.

use url::Url;

use super::super::Outcome;
use crate::flows::config::FlowConfig;
use crate::flows::gate::{self, Endpoint, Outbound};
use crate::flows::http;
use crate::flows::proxy::Proxies;
use crate::knowledge::findings;

/// The proxy requests to `url` go through, fit to show (a password masked), if any: the
/// answer the HTTP clients themselves follow.
pub fn proxy_for(url: &Url) -> Option<String> {
    Proxies::current().for_url(url).map(|p| without_password(&p))
}

/// A proxy URL fit to show: a password in it (`http://user:password@host`) is masked.
pub(super) fn without_password(proxy: &str) -> String {
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

/// Stage 2: reaching the token URL's host — proxy, DNS, TCP, then TLS and HTTP.
pub async fn network(cfg: &FlowConfig) -> Outcome {
    let url = &cfg.token_url;
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let timeout = cfg.timeout;
    let secs = timeout.as_secs().to_string();
    let mut notes = Vec::new();
    let proxy = proxy_for(url);
    match &proxy {
        Some(p) => notes.push(format!("requests to {host} go through the proxy {p} (HTTPS_PROXY/ALL_PROXY; NO_PROXY does not exclude it)")),
        None => notes.push(format!("no proxy applies to {host}")),
    }
    if proxy.is_none() {
        let addrs = match tokio::time::timeout(timeout, tokio::net::lookup_host((host.as_str(), port))).await {
            Ok(Ok(a)) => a.collect::<Vec<_>>(),
            Ok(Err(e)) => return Outcome::found("dns-no-such-name", &[("host", &host), ("error", &e.to_string())]).with_notes(notes),
            Err(_) => return Outcome::found("dns-timeout", &[("host", &host), ("secs", &secs)]).with_notes(notes),
        };
        notes.push(format!("DNS: {host} → {}", addrs.iter().map(|a| a.ip().to_string()).collect::<Vec<_>>().join(", ")));
        let Some(addr) = addrs.first().copied() else {
            return Outcome::found("dns-no-address", &[("host", &host)]).with_notes(notes);
        };
        let at = addr.to_string();
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_)) => notes.push(format!("TCP: {addr} accepts connections")),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return Outcome::found("tcp-refused", &[("addr", &at), ("port", &port.to_string())]).with_notes(notes)
            }
            Ok(Err(e)) => return Outcome::found("tcp-failed", &[("addr", &at), ("error", &e.to_string())]).with_notes(notes),
            Err(_) => return Outcome::found("tcp-timeout", &[("addr", &at), ("secs", &secs)]).with_notes(notes),
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
        Err(crate::Error::Timeout { .. }) => Outcome::found("http-timeout", &[("host", &host), ("secs", &secs)]).with_notes(notes),
        Err(err) => {
            let detail = match &err {
                crate::Error::Network { detail, .. } => detail.clone(),
                other => other.to_string(),
            };
            unreached(cfg, &host, proxy.as_deref(), &detail).with_notes(notes)
        }
    }
}

/// A request that failed before any HTTP answer, by the error's words: a TLS finding, else
/// the proxy's, else the host is out of reach.
fn unreached(cfg: &FlowConfig, host: &str, proxy: Option<&str>, detail: &str) -> Outcome {
    let facts = [("host", host), ("proxy", proxy.unwrap_or_default()), ("detail", detail)];
    if let Some(tls) = findings::recognise("tls", detail) {
        let mut o = Outcome::from(tls.with(&facts));
        if cfg.ca.is_some() && tls.id == "tls-unknown-authority" {
            o.fix.insert(0, findings::step("tls-own-ca-lacks-issuer", &facts));
        }
        if proxy.is_some() {
            o.fix.insert(0, findings::step("tls-through-proxy", &facts));
        }
        return o;
    }
    match proxy.and_then(|_| findings::recognise("proxy", detail)) {
        Some(f) => Outcome::from(f.with(&facts)),
        None => Outcome::found("host-unreachable", &facts),
    }
}
