//! A stand-in provider on 127.0.0.1 that echoes every secret it has seen or issued, in
//! every spelling, in its bodies, its headers (`WWW-Authenticate`, `Location`, `X-`), and
//! its error descriptions: the token endpoint (`/token`, refusing when told) and an API
//! (`/me`, answering 401). Stopped when dropped.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{spellings, Stub};

#[derive(Default)]
pub struct State {
    pub secrets: Vec<(String, String)>,
    pub issued: Vec<String>,
    pub refuse: bool,
    seed: u64,
}

impl State {
    /// Every spelling of every secret and token it knows, and their parts.
    pub fn needles(&self) -> Vec<String> {
        let mut all = Vec::new();
        for (client_id, secret) in &self.secrets {
            all.extend(spellings::of(secret));
            all.extend(spellings::basic(client_id, secret));
            all.extend(spellings::parts(secret));
        }
        for t in &self.issued {
            all.extend(spellings::of(t));
            all.extend(spellings::parts(t));
        }
        all.sort();
        all.dedup();
        all
    }
}

pub struct Echo {
    pub stub: Stub,
    pub state: Arc<Mutex<State>>,
}

impl Echo {
    pub fn start() -> Echo {
        let state = Arc::new(Mutex::new(State { seed: 0x9E37_79B9_7F4A_7C15, ..State::default() }));
        let shared = state.clone();
        let stub = Stub::start(move |conn| answer(conn, &shared));
        Echo { stub, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.stub.port)
    }
}

fn read_request(conn: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = conn.read(&mut chunk) {
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                break;
            }
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

fn answer(mut conn: TcpStream, state: &Arc<Mutex<State>>) {
    conn.set_nonblocking(false).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let request = read_request(&mut conn);
    let mut st = state.lock().unwrap();
    let path = request.split_whitespace().nth(1).unwrap_or("").to_string();
    let needles = st.needles();
    // Headers take visible ASCII only: those spellings, each in an X- header, and one
    // each in WWW-Authenticate and Location.
    let ascii: Vec<&String> = needles.iter().filter(|n| n.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'"')).collect();
    let mut headers = String::new();
    for (i, n) in ascii.iter().enumerate() {
        headers.push_str(&format!("X-Echo-{i}: {n}\r\n"));
    }
    if let Some(n) = ascii.first() {
        headers.push_str(&format!("WWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"{n}\"\r\n"));
        headers.push_str(&format!("Location: /cb?state=s&echo={}\r\n", n.replace(' ', "+")));
    }
    let (status, body) = if path.starts_with("/token") && !st.refuse {
        let token: String = (0..40)
            .map(|_| {
                st.seed ^= st.seed << 13;
                st.seed ^= st.seed >> 7;
                st.seed ^= st.seed << 17;
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/"[(st.seed % 68) as usize] as char
            })
            .collect();
        st.issued.push(token.clone());
        headers.clear();
        ("200 OK", serde_json::json!({ "access_token": token, "token_type": "Bearer", "expires_in": 3600 }).to_string())
    } else {
        let said = format!("you sent: {request} | we know: {}", needles.join(" | "));
        let status = if path.starts_with("/token") { "400 Bad Request" } else { "401 Unauthorized" };
        (status, serde_json::json!({ "error": "invalid_client", "error_description": said, "echo": needles }).to_string())
    };
    let _ = conn.write_all(
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
}
