//! The case player: answers each request with the answer a case file recorded for it, on
//! 127.0.0.1, so a case is diagnosed again with no credential and nothing sent to the hosts
//! it came from. Requests are matched by method and path; a path asked more than once gets
//! its recorded answers in order, the last one again after that. A request the case holds
//! no answer for gets a 404 that says so.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};

use oauthdesk_core::{Case, CaseReplay, RecordedAnswer};
use tokio::sync::watch;
use url::Url;

use crate::http::{self, Serve};
use crate::reply::{Reply, Req};
use crate::Error;

/// Headers that describe the recorded transfer, not the answer: the replayed body is not
/// the recorded one byte for byte (it is redacted), so they are not replayed.
const TRANSFER_HEADERS: &[&str] = &["content-length", "transfer-encoding", "connection", "content-encoding"];

struct Player {
    answers: Mutex<BTreeMap<(String, String), VecDeque<Reply>>>,
}

impl Serve for Player {
    fn answer(&self, req: &Req) -> Option<Reply> {
        let mut answers = self.answers.lock().unwrap_or_else(|p| p.into_inner());
        let Some(queue) = answers.get_mut(&(req.method.clone(), req.path.clone())) else {
            return Some(Reply::error(404, "not_recorded", "the case holds no answer for this request"));
        };
        match queue.len() {
            0 => Some(Reply::error(404, "not_recorded", "the case holds no answer for this request")),
            1 => queue.front().cloned(),
            _ => queue.pop_front(),
        }
    }
}

/// A running player; dropping it stops it.
pub struct CasePlayer {
    origin: Url,
    stop: watch::Sender<bool>,
}

impl CasePlayer {
    /// Starts playing `case`'s answers on a free port of 127.0.0.1 (on the current tokio
    /// runtime).
    pub async fn start(case: &Case) -> Result<CasePlayer, Error> {
        let (listener, port) = crate::bind(0).await?;
        let origin = Url::parse(&format!("http://127.0.0.1:{port}/")).map_err(|e| Error::Mode(e.to_string()))?;
        let mut answers: BTreeMap<(String, String), VecDeque<Reply>> = BTreeMap::new();
        for a in case.answers_at(origin.as_str().trim_end_matches('/')) {
            let Ok(url) = Url::parse(&a.url) else { continue };
            answers.entry((a.method.to_ascii_uppercase(), url.path().to_string())).or_default().push_back(reply(&a));
        }
        let player = Arc::new(Player { answers: Mutex::new(answers) });
        let (stop, stopped) = watch::channel(false);
        drop(tokio::spawn(http::serve(listener, player, stopped)));
        Ok(CasePlayer { origin, stop })
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn origin(&self) -> &Url {
        &self.origin
    }
}

impl Drop for CasePlayer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn reply(a: &RecordedAnswer) -> Reply {
    let headers =
        a.headers.iter().filter(|(k, _)| !TRANSFER_HEADERS.contains(&k.to_ascii_lowercase().as_str())).cloned().collect::<Vec<_>>();
    Reply { status: a.status, headers, body: a.body.clone() }
}

/// Replays a case: plays its answers on 127.0.0.1 and diagnoses a throwaway copy of its
/// profile against them, in a throwaway store under `scratch` (removed afterwards).
pub async fn replay(case: &Case, scratch: &Path) -> oauthdesk_core::Result<CaseReplay> {
    let player = CasePlayer::start(case).await.map_err(|e| oauthdesk_core::Error::Internal(e.to_string()))?;
    let dir = scratch.join(format!("oauthdesk-replay-{}-{}", std::process::id(), crate::grants::random(6)));
    std::fs::create_dir_all(&dir)?;
    let result = case.rediagnose(player.origin(), &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}
