//! For the desk's tests: a profile of any template with every required field filled, and a
//! local server that answers every request with one JSON document.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::Desk;
use crate::model::Fields;
use crate::profile::NewProfile;
use crate::secret::{ClientSecret, MemorySecrets};
use crate::template::{FieldKind, Template};

pub(crate) fn desk() -> (tempfile::TempDir, Desk) {
    let dir = tempfile::tempdir().unwrap();
    let desk = Desk::open(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
    (dir, desk)
}

/// A profile of `template` named `handle`: URLs on `base` (the provider's base field, such
/// as a My Domain, as its placeholder), other required text "x", a secret where the template
/// has one, and `extra`.
pub(crate) fn profile(template: &Template, handle: &str, base: &str, extra: &Fields) -> NewProfile {
    let mut fields = Fields::new();
    for f in template.fields.iter().filter(|f| f.required && f.kind != FieldKind::Secret) {
        let value = match (&f.kind, f.placeholder.as_deref()) {
            (FieldKind::Url, Some(p)) if template.rules().base_field() == Some(f.name.as_str()) => p.to_string(),
            (FieldKind::Url, _) => format!("{base}/{}", f.name),
            _ => "x".to_string(),
        };
        fields.insert(f.name.clone(), value);
    }
    fields.extend(extra.clone());
    NewProfile {
        template: template.id.clone(),
        handle: handle.into(),
        label: None,
        fields,
        client_secret: template.secret_field().map(|_| ClientSecret::new("s")),
    }
}

/// A client-credentials profile named `handle` with these fields, and a secret when given.
pub(crate) fn client_credentials(handle: &str, fields: Fields, secret: Option<&str>) -> NewProfile {
    NewProfile {
        template: "client-credentials".into(),
        handle: handle.into(),
        label: None,
        fields,
        client_secret: secret.map(ClientSecret::new),
    }
}

/// Serves `body(base)` as JSON to every request on 127.0.0.1; returns the base URL.
pub(crate) async fn serve(body: impl FnOnce(&str) -> String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let body = body(&base);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                // The request is read whole (head and body) before the answer, so closing
                // the connection never cuts the client's request short.
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    let Ok(n) = socket.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    if let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        let length = String::from_utf8_lossy(seen.get(..end).unwrap_or_default())
                            .lines()
                            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
                            .unwrap_or(0usize);
                        if seen.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    base
}
