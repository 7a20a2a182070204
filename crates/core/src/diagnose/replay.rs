//! An answer replayed through the reading a diagnosis gives it, without a profile or a
//! request: the token endpoint's refusal, a refused refresh, the authorization page, a test
//! call, each read and explained by the same functions the stages call, with the provider
//! recognised from the endpoint's URL as a profile's would be (or, on a host no provider
//! uses, from the answer). For suites that measure the diagnosis on many providers' answers.

use url::Url;

use super::advice::Context;
use super::{stages, Diagnosis, Outcome};
use crate::flows::redact::Redactor;
use crate::flows::response::{self, Answer, Expect};
use crate::flows::{authorize, test_call, trace};
use crate::knowledge::recognise;
use crate::model::{Check, Flow, Stage};
use crate::providers::{self, ProviderId};

/// An answer as a provider sent it.
#[derive(Debug, Clone)]
pub struct Replayed<'a> {
    /// The endpoint that answered (the token URL, the authorization URL or the test URL).
    pub url: &'a Url,
    pub stage: Stage,
    /// The profile's grant.
    pub grant: Flow,
    pub status: u16,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The diagnosis of a profile whose request got this answer, at its stage.
pub fn diagnose(a: &Replayed<'_>) -> Diagnosis {
    let mut d = Diagnosis::new("replayed");
    let provider = recognise::from_url(a.url);
    d.provider = provider.map(|p| p.name.clone());
    let hints = providers::rules(provider.and_then(|p| ProviderId::find(&p.id))).hints();
    let ctx = Context { provider, proxy: None, hints, grant: Some(a.grant) };
    let red = Redactor::default();
    let shown = trace::response_headers(a.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())), &red);
    let (check, outcome) = match a.stage {
        Stage::Authorize => {
            let probe = authorize::Probe {
                url: a.url.clone(),
                status: a.status,
                content_type: header(a.headers, "content-type").map(str::to_string),
                headers: shown,
                body: String::from_utf8_lossy(a.body).into_owned(),
                location: header(a.headers, "location").and_then(|l| a.url.join(l).ok()),
                redirect_uri: a.url.clone(),
            };
            (Check::Authorization, stages::authorization_page(&mut d, &probe, &ctx))
        }
        Stage::Test => {
            let t = test_call::test_result(a.url, "GET", a.status, a.headers.to_vec(), a.body, false, 1);
            if t.ok {
                (Check::TestCall, Outcome::ok("the test call answered"))
            } else {
                let o = d.explain_test(&t, &ctx, None);
                d.test = Some(t);
                (Check::TestCall, o)
            }
        }
        stage => {
            let answer = Answer {
                status: a.status,
                location: header(a.headers, "location"),
                content_type: header(a.headers, "content-type"),
                body: a.body,
                truncated: false,
            };
            let expect = Expect { stage, url: a.url, token_field: "access_token", cap: 1024 * 1024, redirect_note: None };
            match response::read(answer, &expect) {
                Ok(_) => (Check::TokenEndpoint, Outcome::ok("the token endpoint answered")),
                Err(e) => {
                    let entry = trace::TraceEntry {
                        stage,
                        method: "POST".into(),
                        url: a.url.to_string(),
                        request_headers: Vec::new(),
                        request_body: None,
                        status: Some(a.status),
                        response_headers: shown,
                        response_body: trace::body(a.body, &red),
                        elapsed_ms: 1,
                        error: Some(e.to_string()),
                    };
                    (Check::TokenEndpoint, d.explain(&e, &ctx, Some(&entry)))
                }
            }
        }
    };
    d.stage(check, outcome);
    d.summary = d.summarise();
    d
}
