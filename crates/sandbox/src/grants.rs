//! What the sandbox has handed out: authorization codes (single use, one minute), access
//! tokens (JWTs it also remembers, so revocation and introspection work) and refresh tokens
//! (rotated on each use). All in memory and bounded: a client that asks without end can
//! push out the oldest grants, never exhaust the process.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand_core::{OsRng, RngCore as _};

/// At most this many live grants of each kind.
pub const MAX_GRANTS: usize = 10_000;
pub const CODE_LIFETIME: Duration = Duration::from_secs(60);

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// `bytes` random bytes, base64url: secrets, codes, refresh tokens, token ids.
pub fn random(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// An authorization code waiting for its exchange.
#[derive(Debug, Clone)]
pub struct Code {
    pub client_id: String,
    pub redirect_uri: String,
    /// The S256 code challenge (PKCE is required).
    pub challenge: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub expires: u64,
}

/// Who a token (access or refresh) was given to, for what.
#[derive(Debug, Clone)]
pub struct Grant {
    pub client_id: String,
    /// The signed-in user (`None` for client credentials: the client itself).
    pub user: Option<String>,
    pub scope: String,
    pub issued: u64,
    /// `u64::MAX` for refresh tokens, which do not expire here.
    pub expires: u64,
}

impl Grant {
    pub fn active(&self, at: u64) -> bool {
        at < self.expires
    }
}

#[derive(Debug, Default)]
pub struct Grants {
    codes: HashMap<String, Code>,
    access: HashMap<String, Grant>,
    refresh: HashMap<String, Grant>,
}

/// Makes room for one more: drops what has expired, then the oldest if still full.
fn make_room<V>(map: &mut HashMap<String, V>, expired: impl Fn(&V) -> bool, age: impl Fn(&V) -> u64) {
    if map.len() < MAX_GRANTS {
        return;
    }
    map.retain(|_, v| !expired(v));
    while map.len() >= MAX_GRANTS {
        let Some(oldest) = map.iter().min_by_key(|(_, v)| age(v)).map(|(k, _)| k.clone()) else { break };
        map.remove(&oldest);
    }
}

impl Grants {
    pub fn add_code(&mut self, code: Code) -> String {
        let t = now();
        make_room(&mut self.codes, |c| c.expires <= t, |c| c.expires);
        let id = random(32);
        self.codes.insert(id.clone(), code);
        id
    }

    /// The code, once: a second use finds nothing.
    pub fn take_code(&mut self, code: &str) -> Option<Code> {
        self.codes.remove(code).filter(|c| c.expires > now())
    }

    pub fn add_access(&mut self, token: String, grant: Grant) {
        let t = now();
        make_room(&mut self.access, |g| !g.active(t), |g| g.issued);
        self.access.insert(token, grant);
    }

    pub fn add_refresh(&mut self, grant: Grant) -> String {
        make_room(&mut self.refresh, |_| false, |g| g.issued);
        let token = random(32);
        self.refresh.insert(token.clone(), grant);
        token
    }

    /// An access token still good now.
    pub fn access(&self, token: &str) -> Option<&Grant> {
        self.access.get(token).filter(|g| g.active(now()))
    }

    pub fn refresh(&self, token: &str) -> Option<&Grant> {
        self.refresh.get(token)
    }

    /// Uses a refresh token up: it is replaced by the one the answer carries.
    pub fn take_refresh(&mut self, token: &str) -> Option<Grant> {
        self.refresh.remove(token)
    }

    /// Revokes a token of either kind held by `client_id` (RFC 7009: a token of another
    /// client, or none, is no error).
    pub fn revoke(&mut self, token: &str, client_id: &str) {
        if self.access.get(token).is_some_and(|g| g.client_id == client_id) {
            self.access.remove(token);
        }
        if self.refresh.get(token).is_some_and(|g| g.client_id == client_id) {
            self.refresh.remove(token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(issued: u64) -> Grant {
        Grant { client_id: "c".into(), user: None, scope: "api".into(), issued, expires: u64::MAX }
    }

    #[test]
    fn a_code_is_good_once() {
        let mut g = Grants::default();
        let code = g.add_code(Code {
            client_id: "c".into(),
            redirect_uri: "http://127.0.0.1:1/cb".into(),
            challenge: "x".into(),
            scope: "api".into(),
            nonce: None,
            expires: now() + 60,
        });
        assert!(g.take_code(&code).is_some());
        assert!(g.take_code(&code).is_none());
    }

    #[test]
    fn grants_are_bounded_and_the_oldest_go_first() {
        let mut g = Grants::default();
        for i in 0..MAX_GRANTS as u64 + 5 {
            g.add_access(format!("t{i}"), grant(i));
        }
        assert_eq!(g.access.len(), MAX_GRANTS);
        assert!(g.access("t0").is_none() && g.access(&format!("t{}", MAX_GRANTS + 4)).is_some());
    }

    #[test]
    fn revocation_touches_only_the_clients_own_tokens() {
        let mut g = Grants::default();
        let r = g.add_refresh(grant(1));
        g.revoke(&r, "someone-else");
        assert!(g.refresh(&r).is_some());
        g.revoke(&r, "c");
        assert!(g.refresh(&r).is_none());
    }
}
