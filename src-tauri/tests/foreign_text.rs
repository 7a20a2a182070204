//! Foreign text in answers and pastes: a token endpoint and an API that answer with more
//! than 1 KiB of Japanese, of other multi-byte text or of random bytes, with a multi-byte
//! character across each size where text is cut (1 KiB, the trace's 4 KiB) at every
//! offset. `test`, `test --all`, `diagnose` and `explain` end with their usual exit codes and
//! a readable message, never a panic (exit 101); the window's Connect, Test all, Diagnose and
//! Paste an error (through tauri's mock runtime) answer with a result or an error.
// A test crate: a panic is a failed test, as it should be; it may index what it built.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{oauthdesk, Run, TestProfile};
use oauthdesk_app::{with_commands, AppState};
use oauthdesk_core::Desk;
use oauthdesk_core::MemorySecrets;
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::WebviewWindow;

/// An answer's content type and body.
type Body = (&'static str, Vec<u8>);

/// The bodies: runs of a 2-, 3- and 4-byte character (and a letter with a combining mark)
/// after an ASCII lead of each length below the character's, so that the 1 KiB and the
/// 4 KiB cut fall on every byte of a character; a Japanese HTML page; random bytes.
fn bodies() -> Vec<Body> {
    let mut out = Vec::new();
    for cap in [1024, 4096] {
        for c in ["é", "日", "😀", "e\u{301}"] {
            for lead in 0..c.len() {
                let n = (cap - lead) / c.len() + 1;
                out.push(("text/plain; charset=utf-8", format!("{}{}", "a".repeat(lead), c.repeat(n)).into_bytes()));
            }
        }
    }
    let page = format!(
        "<!DOCTYPE html><html lang=\"ja\"><head><title>エラー</title></head><body><h1>サインインできませんでした</h1><p>{}</p></body></html>",
        "申し訳ありません。要求を処理中にエラーが発生しました。".repeat(40)
    );
    out.push(("text/html; charset=utf-8", page.into_bytes()));
    let mut seed: u32 = 0x2545_f491;
    let random: Vec<u8> = (0..3000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed.to_le_bytes()[0]
        })
        .collect();
    out.push(("application/octet-stream", random));
    out
}

/// An HTTP server on 127.0.0.1: `POST /N/token` gives a token, `POST /N/bad/token` and
/// `GET /N/api` answer with body N (HTTP 400 and 401). One thread per connection; it stops
/// when dropped.
struct Answering {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Answering {
    fn start(bodies: Arc<Vec<Body>>) -> Answering {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stopped.load(Ordering::Relaxed) {
                    break;
                }
                if let Ok(conn) = conn {
                    let bodies = bodies.clone();
                    std::thread::spawn(move || answer(conn, &bodies));
                }
            }
        });
        Answering { port, stop }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wakes the accept loop
    }
}

fn answer(mut conn: TcpStream, bodies: &[Body]) {
    conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = Vec::new();
    let mut buf = [0u8; 4096];
    // The head, then as much of the body as it announces.
    let head_end = loop {
        if let Some(i) = req.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&req[..head_end]).to_ascii_lowercase();
    let length: usize = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    while req.len() < head_end + length {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let case: usize = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    let (ct, body) = &bodies[case.min(bodies.len() - 1)];
    let (status, ct, body): (&str, &str, Vec<u8>) = match parts.next().unwrap_or("") {
        "token" => {
            ("200 OK", "application/json", br#"{"access_token":"tok-foreign-0123456789","token_type":"Bearer","expires_in":3600}"#.to_vec())
        }
        "bad/token" => ("400 Bad Request", ct, body.clone()),
        _ => ("401 Unauthorized", ct, body.clone()),
    };
    let head = format!("HTTP/1.1 {status}\r\ncontent-type: {ct}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(&body);
    let _ = conn.flush();
}

/// An exit code the command gives on purpose (0, 1 or 2), and words on stdout or stderr.
fn answered(what: &str, run: &Run, codes: &[i32]) {
    assert_ne!(run.code, 101, "{what} panicked: {}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
    assert!(codes.contains(&run.code), "{what} exited {}: {}\n{}", run.code, run.stdout, run.stderr);
    assert!(!(run.stdout.trim().is_empty() && run.stderr.trim().is_empty()), "{what} said nothing");
}

#[test]
fn answers_of_foreign_text_at_every_boundary_are_reported_not_panicked_on() {
    let bodies = Arc::new(bodies());
    let server = Answering::start(bodies.clone());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (n, (_, body)) in bodies.iter().enumerate() {
        // A good token and an API that answers with the text; a token endpoint that does.
        TestProfile::client_credentials(&format!("api-{n}"), &server.url(&format!("/{n}/token")), "c")
            .set("test_url", server.url(&format!("/{n}/api")))
            .secret("s")
            .add(d);
        TestProfile::client_credentials(&format!("tok-{n}"), &server.url(&format!("/{n}/bad/token")), "c").secret("s").add(d);

        let run = oauthdesk(d, &["test", &format!("api-{n}")], None);
        answered(&format!("test api-{n}"), &run, &[1]);
        assert!(run.stderr.contains("HTTP 401"), "{}", run.stderr);
        let run = oauthdesk(d, &["test", &format!("tok-{n}")], None);
        answered(&format!("test tok-{n}"), &run, &[1, 2]);
        for handle in [format!("api-{n}"), format!("tok-{n}")] {
            let run = oauthdesk(d, &["diagnose", &handle], None);
            answered(&format!("diagnose {handle}"), &run, &[1]);
            assert!(run.stdout.contains('✗'), "diagnose {handle}: {}", run.stdout);
            let run = oauthdesk(d, &["diagnose", &handle, "--json"], None);
            answered(&format!("diagnose {handle} --json"), &run, &[1]);
            let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            assert_eq!(v["ok"], false, "{v}");
        }
        // The same text pasted, alone and as the raw answer it came in.
        let text = String::from_utf8_lossy(body).into_owned();
        let raw = format!("HTTP/1.1 401 Unauthorized\r\ncontent-type: text/plain\r\n\r\n{text}");
        for (what, paste) in [("text", &text), ("raw answer", &raw)] {
            let run = oauthdesk(d, &["explain", "-"], Some(paste));
            answered(&format!("explain ({what} {n})"), &run, &[0, 1, 2]);
            let run = oauthdesk(d, &["explain", "--json", "-"], Some(paste));
            answered(&format!("explain --json ({what} {n})"), &run, &[0, 1, 2]);
        }
    }
    let run = oauthdesk(d, &["test", "--all"], None);
    answered("test --all", &run, &[1]);
    assert!(run.stdout.contains(&format!("0 ok, {} failing", 2 * bodies.len())), "{}", run.stdout);
    drop(server);
}

/// Calls a window command as the page does; `None` when it gives no answer within 60 s (a
/// command that panics never answers).
fn call(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Option<Result<Value, Value>> {
    let request = common::invoke_request(cmd, args);
    let (tx, rx) = std::sync::mpsc::channel();
    let window = window.clone();
    std::thread::spawn(move || {
        let _ = tx.send(get_ipc_response(&window, request).map(|b| b.deserialize::<Value>().unwrap_or(Value::Null)));
    });
    rx.recv_timeout(Duration::from_secs(60)).ok()
}

/// A result, or an error the page can show: `{code, message}`.
fn window_answered(what: &str, answer: Option<Result<Value, Value>>) -> Value {
    match answer {
        None => panic!("{what}: the window got no answer"),
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            assert!(e["code"].is_string() && e["message"].is_string(), "{what}: {e}");
            e
        }
    }
}

#[test]
fn the_windows_commands_answer_on_foreign_text() {
    let bodies = Arc::new(bodies());
    let server = Answering::start(bodies.clone());
    let dir = tempfile::tempdir().unwrap();
    let desk = Arc::new(Desk::open(dir.path(), Arc::new(MemorySecrets::default())).unwrap());
    let app = with_commands(mock_builder()).manage(AppState::new(desk)).build(mock_context(noop_assets())).unwrap();
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    for (n, (_, body)) in bodies.iter().enumerate() {
        let api = TestProfile::client_credentials(&format!("api-{n}"), &server.url(&format!("/{n}/token")), "c")
            .set("test_url", server.url(&format!("/{n}/api")))
            .secret("s");
        let tok = TestProfile::client_credentials(&format!("tok-{n}"), &server.url(&format!("/{n}/bad/token")), "c").secret("s");
        for p in [api, tok] {
            window_answered("profile_create", call(&window, "profile_create", json!({ "profile": p.json() })));
        }
        for handle in [format!("api-{n}"), format!("tok-{n}")] {
            window_answered(&format!("connect {handle}"), call(&window, "profile_connect", json!({ "handle": handle, "force": true })));
            let d = window_answered(&format!("diagnose {handle}"), call(&window, "profile_diagnose", json!({ "handle": handle })));
            assert!(d.to_string().contains("false"), "diagnose {handle}: {d}");
        }
        let text = String::from_utf8_lossy(body).into_owned();
        window_answered(&format!("explain {n}"), call(&window, "error_explain", json!({ "text": text, "provider": null })));
    }
    let all = window_answered("test all", call(&window, "profiles_test_all", json!({ "handles": [] })));
    assert_eq!(all["failed"].as_u64(), Some(2 * bodies.len() as u64), "{all}");
    drop(server);
}
