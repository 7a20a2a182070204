//! The sandbox on the wire: HTTP/1.1 on 127.0.0.1 only, bodies bounded, every request turned
//! into a [`Req`] for the provider (or whatever else [`Serve`]s) and its [`Reply`] sent back.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::provider::Provider;
use crate::reply::{ClientCert, Reply, Req};

/// What answers the requests a listener receives.
pub trait Serve: Send + Sync + 'static {
    /// The answer; `None` holds the request unanswered until the sandbox stops (a server
    /// that accepts and never answers).
    fn answer(&self, req: &Req) -> Option<Reply>;
}

impl Serve for Provider {
    fn answer(&self, req: &Req) -> Option<Reply> {
        Some(self.handle(req))
    }
}

/// A request body larger than this is refused (a token request is a few hundred bytes).
const MAX_BODY: usize = 64 * 1024;

fn pairs(text: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

async fn read(req: Request<Incoming>) -> Result<Req, Reply> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = pairs(req.uri().query().unwrap_or_default());
    let headers =
        req.headers().iter().filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_ascii_lowercase(), v.to_string()))).collect();
    let body = Limited::new(req.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|_| Reply::error(413, "invalid_request", "the request body is too large"))?
        .to_bytes();
    let body = String::from_utf8_lossy(&body).into_owned();
    let form = pairs(&body);
    Ok(Req { method, path, query, headers, form, body, client_cert: None })
}

fn respond(reply: Reply) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() = hyper::StatusCode::from_u16(reply.status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in reply.headers {
        if let (Ok(n), Ok(v)) = (hyper::header::HeaderName::from_bytes(name.as_bytes()), hyper::header::HeaderValue::from_str(&value)) {
            response.headers_mut().append(n, v);
        }
    }
    response
}

/// Serves until `stop` turns true.
pub async fn serve<S: Serve>(listener: TcpListener, service: Arc<S>, mut stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.changed() => return,
        };
        let (stream, peer): (_, SocketAddr) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "sandbox: accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        tokio::spawn(connection(stream, peer, None, service.clone(), stop.clone()));
    }
}

/// Serves one connection (plain, or TLS with the certificate the client presented) until it
/// closes or `stop` turns true.
pub async fn connection<S: Serve, I: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    io: I,
    peer: SocketAddr,
    client_cert: Option<ClientCert>,
    service: Arc<S>,
    mut stop: watch::Receiver<bool>,
) {
    let service = service_fn(move |req: Request<Incoming>| {
        let service = service.clone();
        let client_cert = client_cert.clone();
        async move {
            let reply = match read(req).await {
                Ok(mut req) => {
                    tracing::debug!(method = %req.method, path = %req.path, %peer, "sandbox");
                    req.client_cert = client_cert;
                    match service.answer(&req) {
                        Some(reply) => reply,
                        None => std::future::pending().await,
                    }
                }
                Err(reply) => reply,
            };
            Ok::<_, Infallible>(respond(reply))
        }
    });
    let conn = http1::Builder::new().serve_connection(TokioIo::new(io), service);
    tokio::select! {
        _ = conn => {}
        _ = stop.changed() => {}
    }
}
