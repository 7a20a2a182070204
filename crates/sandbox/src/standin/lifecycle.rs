//! A provider that enforces the lifecycle of refresh tokens as Salesforce and Microsoft Entra
//! ID document it, so the ranking of causes can be tested against the real thing: each
//! sign-in starts a family of refresh tokens for one user and one client, and the family
//! ends for the reasons each provider documents (the rules and their pages are in
//! [`Provider::rules`]). Its clock can be moved forward, so a test can let a family go idle
//! for a month in a second.
//!
//! - `GET /lifecycle/<provider>/authorize`: the sign-in page; with `login_hint=<user>` (what
//!   the person signing in typed) the user is signed in at once and sent back with a code.
//! - `POST /lifecycle/<provider>/token`: `authorization_code` (PKCE S256 checked when a
//!   challenge was sent) and `refresh_token`, as the provider answers them.
//! - `/__lifecycle/…`, for tests only: `POST clock?days=N` sets the clock N days ahead of this
//!   machine's; `POST password?user=U` is U changing their password; `POST lose-next` makes
//!   the next refresh's answer get lost on its way back (the provider rotates the token, the
//!   client gets a gateway's 504); `GET families` lists every family and why it ended.
//!
//! `<provider>` is `salesforce`, `entra` or `google`. The answers, in each provider's words,
//! are in [`answers`].

mod answers;

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::{error, fields, json, Scenarios};
use crate::grants::random;
use crate::reply::{Reply, Req};

const SECS_PER_DAY: i64 = 86_400;
/// How far the clock may be moved (ten years either way).
const MAX_DAYS: i64 = 3650;
/// At most this many families and codes are kept; the oldest go first.
const MAX_KEPT: usize = 10_000;
/// The refresh tokens a family remembers (the newest).
const MAX_TOKENS_PER_FAMILY: usize = 1_000;

/// Its requests (method, path), which only the test scenarios answer.
pub(super) const ROUTES: &[(&str, &str)] = &[
    ("GET", "/lifecycle/salesforce/authorize"),
    ("POST", "/lifecycle/salesforce/token"),
    ("GET", "/lifecycle/entra/authorize"),
    ("POST", "/lifecycle/entra/token"),
    ("GET", "/lifecycle/google/authorize"),
    ("POST", "/lifecycle/google/token"),
    ("POST", "/__lifecycle/clock"),
    ("POST", "/__lifecycle/password"),
    ("POST", "/__lifecycle/lose-next"),
    ("GET", "/__lifecycle/families"),
];

/// The provider a path plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Provider {
    Salesforce,
    Entra,
    Google,
}

/// What a provider documents about a family of refresh tokens.
struct Rules {
    /// Each refresh hands back a new refresh token.
    rotation: bool,
    /// Presenting a refresh token that was already used ends the whole family.
    reuse_ends_family: bool,
    /// At most this many families per user and client; a new sign-in ends the oldest.
    per_user_client: Option<usize>,
    /// A family unused for longer than this many days is refused.
    idle_days: i64,
    /// A family older than this many days is refused, however it was used.
    absolute_days: Option<i64>,
    /// A change of the user's password ends their families.
    password_ends_families: bool,
}

impl Provider {
    fn from_path(name: &str) -> Option<Provider> {
        match name {
            "salesforce" => Some(Provider::Salesforce),
            "entra" => Some(Provider::Entra),
            "google" => Some(Provider::Google),
            _ => None,
        }
    }

    /// The rules for the app `client`. At Salesforce rotation is the app's setting (mandatory
    /// for apps used in several orgs): a Consumer Key ending in `-no-rotation` is an app
    /// without it. At Google a client ID ending in `-testing` is an app whose publishing
    /// status is Testing.
    fn rules(self, client: &str) -> Rules {
        match self {
            // Rotation, and reuse ending the family: "any attempted reuse of an invalidated
            // refresh token results in the immediate revocation of the current refresh token"
            // (https://help.salesforce.com/s/articleView?id=005316711&type=1). "Each connected
            // app allows five unique approvals per user. When a sixth approval is made, the
            // oldest approval is revoked"
            // (https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_request_manage.htm&type=5).
            // The 30-day idle limit, a sliding window reset by each use
            // (https://help.salesforce.com/s/articleView?id=xcloud.connected_app_limit_idle_ttl.htm&type=5).
            Provider::Salesforce => {
                let rotation = !client.ends_with("-no-rotation");
                Rules {
                    rotation,
                    reuse_ends_family: rotation,
                    per_user_client: Some(5),
                    idle_days: 30,
                    absolute_days: None,
                    password_ends_families: false,
                }
            }
            // "The Microsoft identity platform doesn't revoke old refresh tokens when used to
            // fetch new access tokens"; 90 days; a changed or reset password revokes them
            // (https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens).
            Provider::Entra => Rules {
                rotation: true,
                reuse_ends_family: false,
                per_user_client: None,
                idle_days: 90,
                absolute_days: None,
                password_ends_families: true,
            },
            // No rotation; 7 days for apps in Testing; unused for six months; a changed
            // password (with Gmail scopes); 100 live refresh tokens per account per client, the
            // oldest invalidated (https://developers.google.com/identity/protocols/oauth2#expiration).
            Provider::Google => Rules {
                rotation: false,
                reuse_ends_family: false,
                per_user_client: Some(100),
                idle_days: 183,
                absolute_days: client.ends_with("-testing").then_some(7),
                password_ends_families: true,
            },
        }
    }
}

/// Why a family ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    Reused,
    Limit,
    Idle,
    Expired,
    Password,
}

impl Ended {
    fn as_str(self) -> &'static str {
        match self {
            Ended::Reused => "reused",
            Ended::Limit => "limit",
            Ended::Idle => "idle",
            Ended::Expired => "expired",
            Ended::Password => "password",
        }
    }
}

/// The refresh tokens that descend from one sign-in.
#[derive(Debug, Clone)]
struct Family {
    provider: Provider,
    client: String,
    user: String,
    started: i64,
    last_used: i64,
    /// Every refresh token of the family, the newest last (the one a refresh may present).
    tokens: Vec<String>,
    ended: Option<Ended>,
}

#[derive(Debug, Clone)]
struct Code {
    provider: Provider,
    client: String,
    user: String,
    redirect_uri: String,
    challenge: Option<String>,
}

/// What the lifecycle provider remembers.
#[derive(Debug, Default)]
pub(super) struct Books {
    /// The clock's distance from this machine's, in seconds.
    offset: i64,
    families: Vec<Family>,
    codes: BTreeMap<String, Code>,
    /// The next successful refresh's answer is lost on its way back.
    lose_next: bool,
}

impl Books {
    fn now(&self) -> i64 {
        Utc::now().timestamp().saturating_add(self.offset)
    }

    fn keep_bounded(&mut self) {
        let over = self.families.len().saturating_sub(MAX_KEPT);
        self.families.drain(..over);
        while self.codes.len() > MAX_KEPT {
            self.codes.pop_first();
        }
    }
}

/// The answer of a lifecycle path, `None` for any other path.
pub(super) fn answer(s: &Scenarios, req: &Req) -> Option<Reply> {
    if let Some(control) = req.path.strip_prefix("/__lifecycle/") {
        return Some(self::control(s, req, control));
    }
    let (name, endpoint) = req.path.strip_prefix("/lifecycle/")?.split_once('/')?;
    let provider = Provider::from_path(name)?;
    let mut books = s.lifecycle.lock().ok()?;
    let reply = match (req.method.as_str(), endpoint) {
        ("GET", "authorize") => authorize(&mut books, provider, req),
        ("POST", "token") => token(s, &mut books, provider, req),
        _ => return None,
    };
    books.keep_bounded();
    Some(dated(reply, books.now()))
}

/// The answer with a `Date` header from the provider's clock, as a server whose clock was
/// moved sends it.
fn dated(reply: Reply, now: i64) -> Reply {
    let date = DateTime::<Utc>::from_timestamp(now, 0).unwrap_or_default();
    reply.header("date", date.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
}

fn control(s: &Scenarios, req: &Req, what: &str) -> Reply {
    let Ok(mut books) = s.lifecycle.lock() else { return error(500, "server_error", "the books are unreadable") };
    let arg = |name: &str| req.query(name).or_else(|| req.form(name)).map(str::to_string);
    match (req.method.as_str(), what) {
        ("POST", "clock") => match arg("days").and_then(|d| d.parse::<i64>().ok()).filter(|d| (-MAX_DAYS..=MAX_DAYS).contains(d)) {
            Some(days) => {
                books.offset = days.saturating_mul(SECS_PER_DAY);
                let now = books.now();
                dated(json(200, serde_json::json!({ "now": now })), now)
            }
            None => error(400, "invalid_request", "days: a whole number of days, at most 3650 either way"),
        },
        ("POST", "password") => {
            let Some(user) = arg("user") else { return error(400, "invalid_request", "user is missing") };
            let mut ended = 0;
            for f in books.families.iter_mut().filter(|f| f.user == user && f.ended.is_none()) {
                if f.provider.rules(&f.client).password_ends_families {
                    f.ended = Some(Ended::Password);
                    ended += 1;
                }
            }
            json(200, serde_json::json!({ "ended": ended }))
        }
        ("POST", "lose-next") => {
            books.lose_next = true;
            json(200, serde_json::json!({ "lose_next": true }))
        }
        ("GET", "families") => {
            let list: Vec<_> = books
                .families
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "client": f.client, "user": f.user, "started": f.started, "last_used": f.last_used,
                        "refreshes": f.tokens.len().saturating_sub(1), "ended": f.ended.map(Ended::as_str),
                    })
                })
                .collect();
            json(200, serde_json::json!(list))
        }
        _ => error(404, "not_found", "no such control"),
    }
}

/// The sign-in page; with the user's name, the user signed in and sent back with a code.
fn authorize(books: &mut Books, provider: Provider, req: &Req) -> Reply {
    let (Some(client), Some(redirect_uri)) = (req.query("client_id"), req.query("redirect_uri")) else {
        return error(400, "invalid_request", "client_id and redirect_uri are required");
    };
    let Ok(mut back) = url::Url::parse(redirect_uri) else { return error(400, "invalid_request", "redirect_uri is no URL") };
    if back.scheme() != "http" || back.host_str() != Some("127.0.0.1") {
        return error(400, "invalid_request", "redirect_uri must be a loopback address");
    }
    let Some(user) = req.query("login_hint").filter(|u| !u.is_empty()) else {
        return Reply::page(200, "Sign in: user name and password");
    };
    let challenge = req.query("code_challenge").map(str::to_string);
    let code = random(16);
    let entry = Code { provider, client: client.into(), user: user.into(), redirect_uri: redirect_uri.into(), challenge };
    books.codes.insert(code.clone(), entry);
    back.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = req.query("state") {
        back.query_pairs_mut().append_pair("state", state);
    }
    Reply::redirect(back.to_string())
}

fn token(s: &Scenarios, books: &mut Books, provider: Provider, req: &Req) -> Reply {
    let body = fields(req);
    let field = |name: &str| body.get(name).map(String::as_str).unwrap_or_default();
    let basic_id = req.basic().and_then(Result::ok).map(|(id, _)| id);
    let client = basic_id.as_deref().unwrap_or(field("client_id")).to_string();
    let now = books.now();
    match field("grant_type") {
        "authorization_code" => {
            let Some(code) = books.codes.remove(field("code")) else { return answers::refused(provider, None, now) };
            let verified = code.challenge.as_deref().is_none_or(|c| URL_SAFE_NO_PAD.encode(Sha256::digest(field("code_verifier"))) == c);
            if code.provider != provider || code.client != client || code.redirect_uri != field("redirect_uri") || !verified {
                return answers::refused(provider, None, now);
            }
            let first = random(24);
            books.families.push(Family {
                provider,
                client: client.clone(),
                user: code.user.clone(),
                started: now,
                last_used: now,
                tokens: vec![first.clone()],
                ended: None,
            });
            // A new sign-in past the limit ends the oldest family of the same user and client.
            if let Some(limit) = provider.rules(&client).per_user_client {
                let same = |f: &Family| f.provider == provider && f.client == client && f.user == code.user && f.ended.is_none();
                let live: Vec<usize> = books.families.iter().enumerate().filter(|(_, f)| same(f)).map(|(i, _)| i).collect();
                for i in live.iter().take(live.len().saturating_sub(limit)) {
                    if let Some(f) = books.families.get_mut(*i) {
                        f.ended = Some(Ended::Limit);
                    }
                }
            }
            answers::issued(s, provider, &code.user, Some(&first), now)
        }
        "refresh_token" => {
            let presented = field("refresh_token");
            let Some(f) = books.families.iter_mut().find(|f| f.provider == provider && f.tokens.iter().any(|t| t == presented)) else {
                return answers::refused(provider, None, now);
            };
            let rules = provider.rules(&f.client);
            let newest = f.tokens.last().is_some_and(|t| t == presented);
            if f.ended.is_none() && now.saturating_sub(f.last_used) > rules.idle_days.saturating_mul(SECS_PER_DAY) {
                f.ended = Some(Ended::Idle);
            }
            // "Expiring in 7 days": gone at the seventh day; idle is "more than" the limit.
            let age = now.saturating_sub(f.started);
            if f.ended.is_none() && rules.absolute_days.is_some_and(|d| age >= d.saturating_mul(SECS_PER_DAY)) {
                f.ended = Some(Ended::Expired);
            }
            if f.ended.is_none() && !newest && rules.reuse_ends_family {
                f.ended = Some(Ended::Reused);
            }
            if f.client != client || f.ended.is_some() {
                return answers::refused(provider, Some(f), now);
            }
            f.last_used = now;
            let user = f.user.clone();
            if !rules.rotation {
                return answers::issued(s, provider, &user, None, now);
            }
            let next = random(24);
            f.tokens.push(next.clone());
            // A long family keeps its newest tokens only; an older one is then unknown, which
            // every provider here refuses the same way.
            let over = f.tokens.len().saturating_sub(MAX_TOKENS_PER_FAMILY);
            f.tokens.drain(..over);
            if std::mem::take(&mut books.lose_next) {
                return Reply::page(504, "Gateway Timeout: the upstream server did not answer in time");
            }
            answers::issued(s, provider, &user, Some(&next), now)
        }
        _ => error(400, "unsupported_grant_type", "grant type not supported"),
    }
}
