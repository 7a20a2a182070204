//! The sandbox on the wire: HTTP/1.1 on 127.0.0.1 only, bodies bounded, every request turned
//! into a [`Req`] for the provider and its [`Reply`] sent back.

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
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::provider::Provider;
use crate::reply::{Reply, Req};

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
    let form = pairs(&String::from_utf8_lossy(&body));
    Ok(Req { method, path, query, headers, form })
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
pub async fn serve(listener: TcpListener, provider: Arc<Provider>, mut stop: watch::Receiver<bool>) {
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
        let provider = provider.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: Request<Incoming>| {
                let provider = provider.clone();
                async move {
                    let reply = match read(req).await {
                        Ok(req) => {
                            tracing::debug!(method = %req.method, path = %req.path, %peer, "sandbox");
                            provider.handle(&req)
                        }
                        Err(reply) => reply,
                    };
                    Ok::<_, Infallible>(respond(reply))
                }
            });
            let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = stop.changed() => {}
            }
        });
    }
}
