//! The HTTP clients every flow uses, and the rules they keep: redirects are never followed
//! automatically (a token endpoint that redirects is an error, and a token must not follow a
//! redirect to another host), every request has a timeout, bodies are read up to a cap, and
//! the proxy is the one `super::proxy` decides (the one a diagnosis names).
//!
//! A request that carries a credential is sent only by [`super::gate::send`]; the rest of
//! the crate reaches the network through [`fetch`], a GET that can carry nothing.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use url::Url;

use super::proxy::Proxies;
use crate::error::Error;
use crate::model::Stage;

/// The most of a token or introspection response that is read.
pub const TOKEN_BODY_CAP: usize = 1024 * 1024;
/// The most of a test call's body that is kept for display.
pub const TEST_BODY_CAP: usize = 256 * 1024;

/// A GET of `url` that carries no credential (no authentication header, no TLS identity):
/// discovery, the sign-in page before anyone signs in, whether a host answers at all. With a
/// profile's configuration, its CA bundle is trusted and its client shared as [`client_for`]
/// shares it.
#[allow(clippy::disallowed_methods)] // carries nothing: no header but `accept` can be added
pub async fn fetch(
    cfg: Option<&super::config::FlowConfig>,
    timeout: Duration,
    url: &Url,
    accept: Option<&str>,
    stage: Stage,
) -> Result<reqwest::Response, Error> {
    let client = match cfg {
        Some(cfg) => client_for(cfg, url)?,
        None => client(timeout, url)?,
    };
    let mut req = client.get(url.clone());
    if let Some(accept) = accept {
        req = req.header(reqwest::header::ACCEPT, accept);
    }
    req.send().await.map_err(|e| transport_error(e, stage, url, timeout))
}

/// A client for requests to `url`. The OS's trusted roots are loaded only for an `https`
/// URL: reading and parsing them costs a few milliseconds, and a plain `http` URL (allowed
/// only to this machine) never needs them. With redirects off, a client only ever talks to
/// the URL it was made for.
fn client(timeout: Duration, url: &Url) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(connect_timeout(timeout))
        .user_agent(concat!("OAuthDesk/", env!("CARGO_PKG_VERSION")))
        .tls_built_in_root_certs(url.scheme() == "https")
        .proxy(Proxies::current().for_client())
        .build()
        .map_err(|e| Error::Network { stage: Stage::Token, host: String::new(), detail: format!("cannot set up HTTP: {e}") })
}

/// What makes two profiles' clients differ, when neither presents a TLS identity.
#[derive(PartialEq, Eq, Hash)]
struct Setting {
    timeout: Duration,
    https: bool,
    /// The profile's CA bundle (only `https` uses one).
    ca: Option<String>,
}

tokio::task_local! {
    /// The clients of a [`sharing`] scope, by setting.
    static SHARED: Mutex<HashMap<Setting, reqwest::Client>>;
}

/// Runs `f` with the HTTP clients of its profiles' requests shared: one per setting (timeout,
/// `https` or not, CA bundle), so that requests to one server reuse their connections, as
/// curl's or a browser's do, instead of each opening and closing its own. Test all runs in
/// such a scope: a thousand profiles of one provider are then not a thousand connections,
/// each costing the provider as much as the request. A client that presents a TLS identity
/// (mutual TLS) is never shared, and everything else is as [`client_for`] makes it. The
/// clients and their connections end with the scope.
pub async fn sharing<F: Future>(f: F) -> F::Output {
    SHARED.scope(Mutex::new(HashMap::new()), f).await
}

/// A client for a profile's request to `url`: as [`client`], and for `https` also trusting
/// the profile's CA bundle (besides the system's roots). Inside [`sharing`], the scope's
/// client for the same setting. It presents no TLS identity: the gate adds the profile's
/// for mutual TLS (RFC 8705), on a client of its own that is never shared.
pub(super) fn client_for(cfg: &super::config::FlowConfig, url: &Url) -> Result<reqwest::Client, Error> {
    let https = url.scheme() == "https";
    let setting = Setting { timeout: cfg.timeout, https, ca: cfg.ca.clone().filter(|_| https) };
    match SHARED.try_with(|shared| {
        let mut clients = shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = clients.get(&setting) {
            return Ok(c.clone());
        }
        let c = build_for(cfg, url)?;
        clients.insert(setting, c.clone());
        Ok(c)
    }) {
        Ok(shared) => shared,
        Err(_) => build_for(cfg, url), // not in a sharing scope
    }
}

fn build_for(cfg: &super::config::FlowConfig, url: &Url) -> Result<reqwest::Client, Error> {
    let setup = |e: String| Error::Network { stage: Stage::Token, host: url.host_str().unwrap_or_default().to_string(), detail: e };
    builder(cfg, url)?.build().map_err(|e| setup(format!("cannot set up HTTP: {e}")))
}

/// The builder of a profile's clients: no redirects, its timeout, and for `https` the
/// system's roots and the profile's CA bundle.
pub(super) fn builder(cfg: &super::config::FlowConfig, url: &Url) -> Result<reqwest::ClientBuilder, Error> {
    let setup = |e: String| Error::Network { stage: Stage::Token, host: url.host_str().unwrap_or_default().to_string(), detail: e };
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(cfg.timeout)
        .connect_timeout(connect_timeout(cfg.timeout))
        .user_agent(concat!("OAuthDesk/", env!("CARGO_PKG_VERSION")))
        .tls_built_in_root_certs(url.scheme() == "https")
        .proxy(Proxies::current().for_client());
    if url.scheme() == "https" {
        if let Some(ca) = &cfg.ca {
            for c in reqwest::Certificate::from_pem_bundle(ca.as_bytes())
                .map_err(|e| setup(format!("the profile's CA bundle cannot be used: {e}")))?
            {
                b = b.add_root_certificate(c);
            }
        }
    }
    Ok(b)
}

/// How long a connection may take to be accepted: the request's timeout, at most 15 s.
pub fn connect_timeout(timeout: Duration) -> Duration {
    timeout.min(Duration::from_secs(15))
}

/// Reads at most `cap` bytes of the body; says whether more was left unread.
pub async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        let room = cap.saturating_sub(body.len());
        if let Some(head) = chunk.get(..room).filter(|_| chunk.len() > room) {
            body.extend_from_slice(head);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

/// Turns a transport failure into an error that names the stage, the host and the cause.
pub fn transport_error(err: reqwest::Error, stage: Stage, url: &Url, timeout: Duration) -> Error {
    let host = url.host_str().unwrap_or_default().to_string();
    if err.is_timeout() {
        // A connection not accepted in time hit the (shorter) connect timeout: say that one.
        let secs = if err.is_connect() { connect_timeout(timeout).as_secs() } else { timeout.as_secs() };
        return Error::Timeout { stage, host, secs };
    }
    // The innermost cause says what really happened (refused, DNS, certificate).
    let mut detail = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    // rustls says UnknownIssuer for a self-signed certificate or one from a private CA.
    let detail = if detail.contains("UnknownIssuer") {
        format!("{detail} (the certificate is self-signed or from an authority this machine does not trust)")
    } else {
        detail
    };
    let detail = if err.is_connect() { format!("connection failed: {detail}") } else { detail };
    Error::Network { stage, host, detail }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;
    use crate::flows::config::FlowConfig;
    use crate::model::Fields;
    use crate::template;

    /// A server on 127.0.0.1 that answers each request with `{}`, keeping the connection
    /// open, and counts the connections it accepts.
    async fn server() -> (Url, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}/token", listener.local_addr().unwrap())).unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = conn.read(&mut buf).await {
                        if n == 0 || conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}").await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (url, accepted)
    }

    fn cfg(url: &Url, timeout: &str) -> FlowConfig {
        let fields: Fields = [("token_url", url.as_str()), ("client_id", "c"), ("timeout", timeout)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        FlowConfig::new(template::find(template::CLIENT_CREDENTIALS).unwrap(), &fields).unwrap()
    }

    async fn get(cfg: &FlowConfig, url: &Url) {
        let resp = client_for(cfg, url).unwrap().get(url.clone()).send().await.unwrap();
        assert_eq!(resp.bytes().await.unwrap().as_ref(), b"{}");
    }

    #[tokio::test]
    async fn requests_share_connections_only_inside_a_sharing_scope_and_per_setting() {
        let (url, accepted) = server().await;
        let (a, b) = (cfg(&url, "30"), cfg(&url, "20"));
        for _ in 0..3 {
            get(&a, &url).await;
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 3, "outside a scope, each request has its own client and connection");
        sharing(async {
            for _ in 0..3 {
                get(&a, &url).await;
                get(&b, &url).await;
            }
        })
        .await;
        assert_eq!(accepted.load(Ordering::SeqCst), 5, "in the scope, one connection per setting (timeout) for its three requests");
    }
}
