//! The proxy a diagnosis names is the one the requests use: for generated proxy settings
//! (each variable unset, empty, a proxy with or without a scheme or a password, or no URL at
//! all; `NO_PROXY` as names, addresses, networks, suffixes and `*`; CGI), an `http` and an
//! `https` URL on 127.0.0.1 are requested by both kinds of client the core builds, and the
//! server that saw the connection — the target or one of six proxies, one per variable —
//! must be the one the diagnosis said.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

use super::proxy_for;
use crate::flows::config::FlowConfig;
use crate::flows::http;
use crate::flows::proxy::Proxies;
use crate::model::{Fields, Stage};
use crate::template;

/// A server on 127.0.0.1 that counts the connections it accepts and answers each request
/// (a proxy's CONNECT with a refusal, so nothing goes further).
struct Recorder {
    port: u16,
    seen: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

async fn recorder() -> Recorder {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    let task = tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let n = conn.read(&mut buf).await.unwrap_or(0);
                let answer = if buf[..n].starts_with(b"CONNECT") { "403 Forbidden" } else { "200 OK" };
                let _ = conn.write_all(format!("HTTP/1.1 {answer}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes()).await;
            });
        }
    });
    Recorder { port, seen, task }
}

/// A small deterministic generator (the cases are the same on every run).
struct Lcg(u64);

impl Lcg {
    fn pick<'a, T>(&mut self, from: &'a [T]) -> &'a T {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        &from[(self.0 >> 33) as usize % from.len()]
    }
}

const VARS: [&str; 6] = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_a_diagnosis_names_is_the_one_every_client_uses() {
    let target = recorder().await;
    let mut proxies = Vec::new();
    for _ in VARS {
        proxies.push(recorder().await);
    }
    let t = target.port;
    let no_proxy = [
        None,
        Some(String::new()),
        Some("127.0.0.1".to_string()),
        Some(" 127.0.0.1 , other.example".to_string()),
        Some("127.0.0.0/8".to_string()),
        Some("10.0.0.0/8".to_string()),
        Some("127.0.0.2".to_string()),
        Some("0.0.1".to_string()),
        Some(".0.0.1".to_string()),
        Some("*".to_string()),
        Some("localhost".to_string()),
        Some(format!("127.0.0.1:{t}")),
    ];
    let mut gen = Lcg(21);
    let mut wrong = Vec::new();
    let mut proxied = 0;
    for case in 0..160 {
        let mut vars: BTreeMap<&str, String> = BTreeMap::new();
        for (name, p) in VARS.iter().zip(&proxies) {
            let values = [
                None,
                None,
                Some(String::new()),
                Some(format!("http://127.0.0.1:{}", p.port)),
                Some(format!("127.0.0.1:{}", p.port)),
                Some(format!("http://ops:pw@127.0.0.1:{}", p.port)),
                Some("not a proxy".to_string()),
            ];
            if let Some(v) = gen.pick(&values) {
                vars.insert(name, v.clone());
            }
        }
        for name in ["NO_PROXY", "no_proxy"] {
            if let Some(v) = gen.pick(&no_proxy) {
                vars.insert(name, v.clone());
            }
        }
        if *gen.pick(&[false, false, false, false, false, false, false, true]) {
            vars.insert("REQUEST_METHOD", "GET".into());
        }
        let settings = Proxies::from_vars(|name| vars.get(name).cloned());
        for scheme in ["http", "https"] {
            let url = Url::parse(&format!("{scheme}://127.0.0.1:{t}/token")).unwrap();
            let fields: Fields = [("token_url", url.as_str()), ("client_id", "c"), ("timeout", "5")]
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect();
            let cfg = FlowConfig::new(template::find(template::CLIENT_CREDENTIALS).unwrap(), &fields).unwrap();
            let said = settings.clone().scope(async { proxy_for(&url) }).await;
            // The port of the proxy named (a password in it is masked).
            let said_port = said.as_deref().map(|p| Url::parse(p).ok().and_then(|u| u.port()).unwrap_or(0));
            for with_profile in [false, true] {
                let before: Vec<usize> = std::iter::once(&target).chain(&proxies).map(|r| r.seen.load(Ordering::SeqCst)).collect();
                let _ = settings
                    .clone()
                    .scope(async {
                        let cfg = with_profile.then_some(&cfg);
                        http::fetch(cfg, Duration::from_secs(5), &url, None, Stage::Token).await
                    })
                    .await;
                let after: Vec<usize> = std::iter::once(&target).chain(&proxies).map(|r| r.seen.load(Ordering::SeqCst)).collect();
                let reached: Vec<u16> = std::iter::once(&target)
                    .chain(&proxies)
                    .zip(before.iter().zip(&after))
                    .filter(|(_, (b, a))| a > b)
                    .map(|(r, _)| r.port)
                    .collect();
                let expected = vec![said_port.unwrap_or(t)];
                proxied += usize::from(said_port.is_some());
                if reached != expected {
                    wrong.push(format!(
                        "case {case} {scheme} (profile's client: {with_profile}) {vars:?}: the diagnosis says {said:?}, the request reached {reached:?} (target {t})"
                    ));
                }
            }
        }
    }
    target.task.abort();
    for p in proxies {
        p.task.abort();
    }
    assert!(wrong.is_empty(), "{} of 640 requests:\n{}", wrong.len(), wrong.join("\n"));
    assert!(proxied > 100 && proxied < 540, "the cases go through a proxy and directly ({proxied} of 640 through one)");
}
