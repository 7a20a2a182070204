//! What an HTTP status says on its own, whatever the body: a rate limit (RFC 6585 §4), or a
//! server — or a gateway or proxy in front of it — that is failing (RFC 9110 §15.6). Neither
//! is a wrong setting, so neither may be explained as one.

/// A cause and its fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusAdvice {
    pub cause: String,
    pub fix: Vec<String>,
}

/// The advice for a status that explains a failure by itself: 429, or 500/502/503/504.
/// `retry_after` is the answer's `Retry-After` header; `proxy` the proxy requests go through.
pub fn by_status(status: u16, retry_after: Option<&str>, proxy: Option<&str>) -> Option<StatusAdvice> {
    let wait = retry_after.map(str::trim).filter(|r| !r.is_empty()).map(|r| match r.parse::<u64>() {
        Ok(secs) => format!("The provider asks to wait {secs} s (Retry-After) before trying again."),
        Err(_) => format!("The provider asks to wait until {r} (Retry-After) before trying again."),
    });
    match status {
        429 => Some(StatusAdvice {
            cause: "The provider is limiting requests (HTTP 429, too many requests): the settings may well be right.".into(),
            fix: [
                wait.unwrap_or_else(|| "Wait a while and try again.".into()),
                "Make the integration reuse its token until it expires instead of asking for a new one for each call.".into(),
                "If the limit is reached in normal use, ask the provider about the rate limits of your plan or app.".into(),
            ]
            .to_vec(),
        }),
        500 | 502 | 503 | 504 => {
            let what = match status {
                500 => "had an internal error",
                502 => "got no valid answer from the server behind it (bad gateway)",
                503 => "is unavailable (overloaded or down for maintenance)",
                _ => "timed out waiting for the server behind it (gateway timeout)",
            };
            let mut fix = vec![
                wait.unwrap_or_else(|| "Try again in a few minutes.".into()),
                "Check the provider's status page for an outage.".into(),
            ];
            if let Some(p) = proxy {
                fix.push(format!(
                    "Requests go through the proxy {p}: if the page came from the proxy, ask your network team what it refuses."
                ));
            }
            fix.push("If it lasts, send the support report to the provider (or to whoever runs the gateway).".into());
            Some(StatusAdvice {
                cause: format!(
                    "The provider's server, or a gateway or proxy in front of it, {what} (HTTP {status}): an outage, not a wrong token URL or setting."
                ),
                fix,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_outages_are_named_and_other_statuses_are_not() {
        let limit = by_status(429, Some("30"), None).unwrap_or_else(|| unreachable!());
        assert!(limit.cause.contains("limiting"));
        assert!(limit.fix[0].contains("30 s"));
        let gateway = by_status(502, None, Some("http://proxy:3128")).unwrap_or_else(|| unreachable!());
        assert!(gateway.cause.contains("bad gateway") && gateway.cause.contains("not a wrong token URL"));
        assert!(gateway.fix.iter().any(|f| f.contains("proxy")));
        assert!(by_status(503, Some("Wed, 21 Oct 2026 07:28:00 GMT"), None).unwrap_or_else(|| unreachable!()).fix[0].contains("until Wed"));
        for status in [200, 400, 401, 403, 404] {
            assert!(by_status(status, None, None).is_none());
        }
    }
}
