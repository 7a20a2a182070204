//! Which proxy a request to a URL goes through: one answer, given both to every HTTP client the
//! core builds and to a diagnosis that says which proxy applies. Were the two decided
//! separately (the clients by their library's reading of the environment, the diagnosis by its
//! own), a diagnosis could name a proxy the requests never use, or miss the one they do.
//!
//! The rules are curl's, as the HTTP library reads them: `HTTPS_PROXY`/`https_proxy` for
//! `https`, `HTTP_PROXY`/`http_proxy` for `http`, `ALL_PROXY`/`all_proxy` for either; of a pair,
//! the upper-case name is read first and a set value counts even when empty; a value that is no
//! proxy URL counts as unset. `NO_PROXY`/`no_proxy` lists hosts reached directly: a domain also
//! covers its subdomains (`corp.example` and `.corp.example` alike), an IP address or network
//! (`10.0.0.0/8`) covers the addresses in it, and `*` covers every host. Under CGI
//! (`REQUEST_METHOD` set) no proxy is used, as a request's `Proxy` header could set one.

use hyper_util::client::proxy::matcher::Matcher;
use url::Url;

/// The proxy settings of the environment, as read at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies {
    http: String,
    https: String,
    all: String,
    no: String,
    cgi: bool,
}

#[cfg(test)]
tokio::task_local! {
    /// Settings that stand in for the environment's in a test, which must not change the
    /// environment of the other tests running beside it.
    static STAND_IN: Proxies;
}

impl Proxies {
    /// The settings as `var` gives each variable (`None`: not set).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let first = |names: [&str; 2]| names.iter().find_map(|n| var(n)).unwrap_or_default();
        Proxies {
            http: first(["HTTP_PROXY", "http_proxy"]),
            https: first(["HTTPS_PROXY", "https_proxy"]),
            all: first(["ALL_PROXY", "all_proxy"]),
            no: first(["NO_PROXY", "no_proxy"]),
            cgi: var("REQUEST_METHOD").is_some(),
        }
    }

    /// The settings in effect now: the process's environment.
    pub fn current() -> Self {
        #[cfg(test)]
        if let Ok(p) = STAND_IN.try_with(Clone::clone) {
            return p;
        }
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Runs `f` with `self` in effect instead of the environment (tests only).
    #[cfg(test)]
    pub async fn scope<F: std::future::Future>(self, f: F) -> F::Output {
        STAND_IN.scope(self, f).await
    }

    /// The proxy a request to `url` goes through, as configured (its credentials included),
    /// or `None` for a direct connection.
    pub fn for_url(&self, url: &Url) -> Option<String> {
        if self.cgi {
            return None;
        }
        let uri: hyper::Uri = url.as_str().parse().ok()?;
        let specific = match url.scheme() {
            "https" => &self.https,
            "http" => &self.http,
            _ => return None,
        };
        let proxy = [specific, &self.all].into_iter().find(|p| is_proxy(p))?;
        // The host list is the library's own reading of it (domains, addresses, networks).
        let direct = Matcher::builder().all(proxy.as_str()).no(self.no.as_str()).build().intercept(&uri).is_none();
        (!direct).then(|| with_scheme(proxy))
    }

    /// A proxy setting for an HTTP client that follows these settings, and only these: the
    /// library's own reading of the environment is off once a proxy is set.
    pub fn for_client(self) -> reqwest::Proxy {
        reqwest::Proxy::custom(move |url| self.for_url(url))
    }
}

/// Whether a value names a proxy the client can use (as the library decides it).
fn is_proxy(value: &str) -> bool {
    let probe = hyper::Uri::from_static("http://probe.invalid/");
    !value.trim().is_empty() && Matcher::builder().all(value).build().intercept(&probe).is_some()
}

/// The proxy URL with its scheme: a value without one (`proxy.corp:3128`) means `http`.
fn with_scheme(proxy: &str) -> String {
    if proxy.contains("://") {
        proxy.to_string()
    } else {
        format!("http://{proxy}")
    }
}

#[cfg(test)]
#[path = "proxy_tests.rs"]
mod tests;
