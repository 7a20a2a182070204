//! The loopback redirect listener of RFC 8252: one HTTP server on 127.0.0.1 (never
//! `localhost`, never 0.0.0.0) that waits for exactly one redirect carrying the expected
//! `state`. A wrong path is answered 404 and a missing or wrong `state` 400, and both are
//! ignored: the flow keeps waiting. Then the server closes, and so does its port.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::error::{Error, Result};
use crate::model::Stage;
use crate::secret::AuthorizationCode;

/// What the browser brought back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redirect {
    Code(AuthorizationCode),
    Denied { error: String, description: Option<String> },
}

/// A bound loopback port, before it serves.
pub struct Loopback {
    listener: TcpListener,
    pub port: u16,
}

/// How long the listener waits after a failed accept, doubling up to the maximum.
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(10);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

impl Loopback {
    /// Binds 127.0.0.1 on `port` (0 picks a free one).
    pub async fn bind(port: u16) -> Result<Loopback> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::AddrInUse {
                Error::invalid(
                    "redirect_port",
                    format!(
                        "port {port} on 127.0.0.1 is already in use by another program; close it or pick another port (0 = any free port)"
                    ),
                )
            } else {
                Error::Io(e)
            }
        })?;
        let port = listener.local_addr()?.port();
        Ok(Loopback { listener, port })
    }

    /// The redirect URI to register and send: `http://127.0.0.1:<port><path>`.
    pub fn redirect_uri(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Serves until one redirect with `state` arrives, `timeout` passes, or `cancel` fires.
    pub async fn wait(self, path: &str, state: &str, timeout: Duration, cancel: impl std::future::Future<Output = ()>) -> Result<Redirect> {
        let (tx, mut rx) = mpsc::channel::<Redirect>(1);
        let expected = Arc::new((path.to_string(), state.to_string()));
        let listener = self.listener;
        let server = tokio::spawn(async move {
            // Connections live in this task's set: when the wait ends (a code, a timeout, a
            // cancel), aborting the task closes every connection still open.
            let mut connections: tokio::task::JoinSet<()> = tokio::task::JoinSet::new();
            let mut backoff = ACCEPT_BACKOFF_MIN;
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        backoff = ACCEPT_BACKOFF_MIN;
                        while connections.try_join_next().is_some() {}
                        let (tx, expected) = (tx.clone(), expected.clone());
                        connections.spawn(async move {
                            let service = service_fn(move |req| handle(req, expected.clone(), tx.clone()));
                            let _ = http1::Builder::new().keep_alive(false).serve_connection(TokioIo::new(stream), service).await;
                        });
                    }
                    // Out of descriptors, say: wait rather than spin on the failing accept.
                    Err(e) => {
                        tracing::warn!(error = %e, "the redirect listener cannot accept a connection; retrying");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                    }
                }
            }
        });
        let outcome = tokio::select! {
            got = rx.recv() => got.ok_or_else(|| Error::Internal("the redirect listener stopped".into())),
            () = tokio::time::sleep(timeout) => Err(Error::Timeout { stage: Stage::Authorize, host: "the browser".into(), secs: timeout.as_secs() }),
            () = cancel => Err(Error::Cancelled),
        };
        server.abort(); // drops the listener: the port closes
        let _ = server.await;
        outcome
    }
}

fn page(status: StatusCode, title: &str, text: &str) -> Response<Full<Bytes>> {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>OAuth Desk — {title}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:36em;margin:4em auto\"><h1>{title}</h1><p>{text}</p>\
         <p>You may close this window and return to OAuth Desk.</p></body></html>"
    );
    let mut resp = Response::new(Full::new(Bytes::from(html)));
    *resp.status_mut() = status;
    resp.headers_mut().insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("text/html; charset=utf-8"));
    resp
}

/// Escapes text for the answer page (the provider's `error_description` is untrusted).
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// What a request to the redirect address carries, read as a pure function of its path and
/// query (the browser's request is untrusted input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arrival {
    WrongPath,
    /// A missing or wrong `state`: not the authorization OAuth Desk started.
    WrongState,
    Denied {
        error: String,
        description: Option<String>,
    },
    Code(AuthorizationCode),
    NoCode,
}

/// Reads a redirect: the path must be `expected_path` and `state` must match.
pub fn read_redirect(path: &str, query: Option<&str>, expected_path: &str, expected_state: &str) -> Arrival {
    if path != expected_path {
        return Arrival::WrongPath;
    }
    let query: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let get = |k: &str| query.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    if get("state").as_deref() != Some(expected_state) {
        return Arrival::WrongState;
    }
    if let Some(error) = get("error") {
        return Arrival::Denied { error, description: get("error_description") };
    }
    match get("code") {
        Some(code) if !code.is_empty() => Arrival::Code(AuthorizationCode::new(code)),
        _ => Arrival::NoCode,
    }
}

async fn handle(
    req: Request<Incoming>,
    expected: Arc<(String, String)>,
    tx: mpsc::Sender<Redirect>,
) -> std::result::Result<Response<Full<Bytes>>, Infallible> {
    let (path, state) = (&expected.0, &expected.1);
    Ok(match read_redirect(req.uri().path(), req.uri().query(), path, state) {
        Arrival::WrongPath => page(StatusCode::NOT_FOUND, "Not found", "This is not OAuth Desk's redirect address."),
        Arrival::WrongState => {
            tracing::warn!("redirect with a missing or wrong state ignored");
            page(
                StatusCode::BAD_REQUEST,
                "Ignored",
                "The state does not match the authorization OAuth Desk started, so this redirect was ignored.",
            )
        }
        Arrival::Denied { error, description } => {
            let text = format!(
                "The provider answered <code>{}</code>{}.",
                escape(&error),
                description.as_deref().map(|d| format!(": {}", escape(d))).unwrap_or_default()
            );
            let _ = tx.send(Redirect::Denied { error, description }).await;
            page(StatusCode::OK, "Authorization failed", &text)
        }
        Arrival::Code(code) => {
            let _ = tx.send(Redirect::Code(code)).await;
            page(StatusCode::OK, "Signed in", "OAuth Desk received the authorization and is fetching the tokens.")
        }
        Arrival::NoCode => page(StatusCode::BAD_REQUEST, "No code", "The redirect carries neither a code nor an error."),
    })
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    async fn get(url: String) -> u16 {
        reqwest::get(url).await.map(|r| r.status().as_u16()).unwrap_or(0)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_wrong_path_or_state_is_ignored_and_the_right_redirect_completes() {
        let lb = Loopback::bind(0).await.unwrap();
        let port = lb.port;
        let base = format!("http://127.0.0.1:{port}");
        let browser = tokio::spawn(async move {
            let wrong_path = get(format!("{base}/other?code=c&state=s1")).await;
            let wrong_state = get(format!("{base}/callback?code=c&state=forged")).await;
            let no_state = get(format!("{base}/callback?code=c")).await;
            let right = get(format!("{base}/callback?code=the-code&state=s1")).await;
            (wrong_path, wrong_state, no_state, right)
        });
        let got = lb.wait("/callback", "s1", Duration::from_secs(10), std::future::pending()).await.unwrap();
        assert_eq!(got, Redirect::Code(AuthorizationCode::new("the-code")));
        assert_eq!(browser.await.unwrap(), (404, 400, 400, 200));
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the port is closed afterwards");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn access_denied_is_reported_with_its_description() {
        let lb = Loopback::bind(0).await.unwrap();
        let url = format!("http://127.0.0.1:{}/cb?error=access_denied&error_description=End-User%20aborted&state=s", lb.port);
        let browser = tokio::spawn(get(url));
        let got = lb.wait("/cb", "s", Duration::from_secs(10), std::future::pending()).await.unwrap();
        assert_eq!(got, Redirect::Denied { error: "access_denied".into(), description: Some("End-User aborted".into()) });
        assert_eq!(browser.await.unwrap(), 200);
    }

    #[tokio::test]
    async fn the_timeout_fires_and_cancel_stops_the_wait() {
        let lb = Loopback::bind(0).await.unwrap();
        let port = lb.port;
        let err = lb.wait("/callback", "s", Duration::from_millis(200), std::future::pending()).await.unwrap_err();
        assert!(matches!(err, Error::Timeout { stage: Stage::Authorize, .. }), "{err}");
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the port is closed after a timeout");
        let lb = Loopback::bind(0).await.unwrap();
        let err = lb.wait("/callback", "s", Duration::from_secs(30), async {}).await.unwrap_err();
        assert!(matches!(err, Error::Cancelled));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_cancelled_sign_in_closes_the_connections_it_had_open() {
        use tokio::io::AsyncReadExt;
        let lb = Loopback::bind(0).await.unwrap();
        let port = lb.port;
        let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel::<()>();
        let waiting = tokio::spawn(lb.wait("/callback", "s", Duration::from_secs(30), async {
            let _ = cancel_rx.await;
        }));
        // A browser (or anything) that connects and sends nothing.
        let mut idle = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = cancel_tx.send(());
        assert!(matches!(waiting.await.unwrap(), Err(Error::Cancelled)));
        let mut buf = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_secs(5), idle.read(&mut buf)).await;
        assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "the idle connection was closed: {read:?}");
    }

    #[tokio::test]
    async fn it_listens_on_127_0_0_1_only_and_reports_a_taken_port() {
        let lb = Loopback::bind(0).await.unwrap();
        assert_eq!(lb.listener.local_addr().unwrap().ip(), std::net::IpAddr::from(Ipv4Addr::LOCALHOST));
        let taken = Loopback::bind(lb.port).await.err().expect("a port in use is refused");
        assert_eq!(taken.field(), Some("redirect_port"));
        assert!(taken.to_string().contains("already in use"), "{taken}");
    }
}
