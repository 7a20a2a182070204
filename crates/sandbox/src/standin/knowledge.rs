//! Every knowledge-base entry gets endpoints that answer with its documented example at the
//! entry's first stage, and healthily before it: `/kb/<id>/authorize`, `/kb/<id>/token` and
//! `/kb/<id>/me`. So a diagnosis can be shown each provider's own answer, in its own format,
//! where it comes in a real connection (a refresh after a real sign-in included). The
//! example is sent with the headers the provider's servers send on every answer (Okta's
//! `x-okta-request-id`), as a provider on its own domain would send it.

use oauthdesk_core::Stage;
use oauthdesk_core::{knowledge_entry, knowledge_providers};

use super::{error, json, Scenarios};
use crate::reply::{Reply, Req};

/// The answer of a `/kb/…` path, `None` for any other path.
pub(super) fn answer(_: &Scenarios, req: &Req) -> Option<Reply> {
    let rest = req.path.strip_prefix("/kb/")?;
    let (id, endpoint) = rest.split_once('/')?;
    if id.is_empty() || !matches!(endpoint, "authorize" | "token" | "me") {
        return None;
    }
    let Some(entry) = knowledge_entry(id) else { return Some(error(404, "not_found", "no such entry")) };
    // An entry for any stage is tried where its example comes from: a redirect back to the
    // app is the authorization page's answer.
    let any = if entry.example.headers.contains_key("location") { Stage::Authorize } else { Stage::Token };
    let stage = entry.stages.as_ref().and_then(|s| s.first().copied()).unwrap_or(any);
    let own_headers = knowledge_providers().iter().filter(|p| entry.provider.as_ref() == Some(&p.id)).flat_map(|p| p.headers.iter());
    let example = || {
        let reply = Reply::example(&entry.example, req.query("redirect_uri").unwrap_or_default(), req.query("state").unwrap_or_default());
        own_headers.clone().fold(reply, |r, h| r.header(h, format!("kb-{id}")))
    };
    Some(match endpoint {
        "authorize" if stage == Stage::Authorize => example(),
        "authorize" => {
            let Some(mut back) = req.query("redirect_uri").and_then(|u| url::Url::parse(u).ok()) else {
                return Some(error(400, "invalid_request", "redirect_uri is missing"));
            };
            back.query_pairs_mut().append_pair("code", "kb-code").append_pair("state", req.query("state").unwrap_or_default());
            Reply::redirect(back.to_string())
        }
        "token" if stage == Stage::Token => example(),
        "token" if stage == Stage::Refresh && req.form("grant_type") == Some("refresh_token") => example(),
        "token" => json(
            200,
            serde_json::json!({
                "access_token": format!("kb-{id}-token"), "token_type": "Bearer", "expires_in": 3600,
                "refresh_token": format!("kb-{id}-refresh"),
            }),
        ),
        _ if stage == Stage::Test => example(),
        _ => json(200, serde_json::json!({ "ok": true })),
    })
}
