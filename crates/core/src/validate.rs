//! Checks and normalises one field value by its kind. Each function returns the value as it
//! will be stored, or a message that says what is wrong in words a user can act on; the
//! caller attaches the field name.

use url::{Host, Url};

use crate::template::FieldKind;

/// The longest field value accepted (a URL with parameters fits many times over).
pub const MAX_VALUE_BYTES: usize = 4 * 1024;

/// Normalises `raw` for a field of `kind`. An empty result means "not set".
pub fn value(kind: &FieldKind, raw: &str) -> Result<String, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(String::new());
    }
    if v.chars().any(char::is_control) {
        return Err("contains a control character (a pasted line break or tab?)".into());
    }
    if v.len() > MAX_VALUE_BYTES {
        return Err(format!("is longer than {} KiB; no setting needs that much", MAX_VALUE_BYTES / 1024));
    }
    match kind {
        FieldKind::Text | FieldKind::Secret => Ok(v.to_string()),
        FieldKind::Url => url(v).map(|u| u.to_string()),
        FieldKind::Choice { options } => {
            options.iter().find(|o| o.value.eq_ignore_ascii_case(v)).map(|o| o.value.clone()).ok_or_else(|| {
                let allowed: Vec<&str> = options.iter().map(|o| o.value.as_str()).collect();
                format!("'{v}' is not one of: {}", allowed.join(", "))
            })
        }
        FieldKind::Bool => match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok("true".into()),
            "false" | "no" | "off" | "0" => Ok("false".into()),
            _ => Err(format!("'{v}' is not true or false")),
        },
        FieldKind::Port => {
            v.parse::<u16>().map(|p| p.to_string()).map_err(|_| format!("'{v}' is not a port number from 0 to 65535 (0 = any free port)"))
        }
        FieldKind::Path => {
            if !v.starts_with('/') || v.contains(['?', '#', ' ']) {
                Err(format!("'{v}' is not a URL path: start with / and leave out ?, # and spaces"))
            } else {
                Ok(v.to_string())
            }
        }
        FieldKind::Method => {
            let m = v.to_ascii_uppercase();
            match m.as_str() {
                "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" => Ok(m),
                _ => Err(format!("'{v}' is not one of GET, POST, PUT, PATCH, DELETE, HEAD")),
            }
        }
        FieldKind::Scopes => Ok(v.split_whitespace().collect::<Vec<_>>().join(" ")),
        FieldKind::Hosts => hosts(v).map(|h| h.join(",")),
        FieldKind::Params => params(v).map(|_| v.to_string()),
        FieldKind::Seconds => match v.parse::<u64>() {
            Ok(n @ 1..=600) => Ok(n.to_string()),
            _ => Err(format!("'{v}' is not a number of seconds from 1 to 600")),
        },
        FieldKind::Date => date(v).map(|d| d.format("%Y-%m-%d").to_string()),
    }
}

/// The earliest and latest dates a date field takes: no secret or change of interest is
/// older, and a later year is a typing slip.
pub const DATE_RANGE: (&str, &str) = ("2000-01-01", "9999-12-31");

/// A calendar date written `YYYY-MM-DD`, within [`DATE_RANGE`].
pub fn date(v: &str) -> Result<chrono::NaiveDate, String> {
    let parse = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let d = parse(v.trim()).ok_or_else(|| format!("'{v}' is not a date written YYYY-MM-DD, e.g. 2027-06-30"))?;
    match (parse(DATE_RANGE.0), parse(DATE_RANGE.1)) {
        (Some(first), Some(last)) if d >= first && d <= last => Ok(d),
        _ => Err(format!("'{v}' is outside {} to {}", DATE_RANGE.0, DATE_RANGE.1)),
    }
}

/// An absolute http(s) URL that may carry a token or a secret: https, or http to this machine.
pub fn url(v: &str) -> Result<Url, String> {
    let u = Url::parse(v).map_err(|e| format!("'{v}' is not a URL ({e}); write it in full, e.g. https://auth.example.com/token"))?;
    match u.scheme() {
        "https" => {}
        "http" if is_loopback(&u) => {}
        "http" => {
            return Err(format!(
                "'{v}' uses http:// to a host other than this machine; secrets and tokens would cross the network unencrypted, use https://"
            ))
        }
        other => return Err(format!("'{v}' is a {other}: URL; use https://")),
    }
    if u.host().is_none() {
        return Err(format!("'{v}' has no host"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err("must not contain a user name or password; OAuth Desk sends credentials itself".into());
    }
    if u.fragment().is_some() {
        return Err(format!("'{v}' has a #fragment, which a server never sees; remove it"));
    }
    Ok(u)
}

/// Whether the URL's host is this machine (127.0.0.0/8, ::1 or localhost).
pub fn is_loopback(u: &Url) -> bool {
    match u.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// A comma-separated host list, lower-cased, each a host name, an IP address or `*.domain`.
pub fn hosts(v: &str) -> Result<Vec<String>, String> {
    v.split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|h| {
            let h = h.to_ascii_lowercase();
            // An entry may name a port: `api.example.com:8443`, `[::1]:9`.
            let without_port = match h.rsplit_once(':') {
                Some((host, port)) if port.parse::<u16>().is_ok() && (!host.contains(':') || host.ends_with(']')) => host,
                _ => h.as_str(),
            };
            let bare = without_port.strip_prefix("*.").unwrap_or(without_port);
            if bare.contains("://") || bare.contains('/') {
                return Err(format!("'{h}' is a URL; list host names only, e.g. api.example.com"));
            }
            match Host::parse(bare) {
                Ok(Host::Domain(d)) if d.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') => Ok(h),
                Ok(Host::Ipv4(_)) | Ok(Host::Ipv6(_)) if !without_port.starts_with("*.") => Ok(h.clone()),
                _ => Err(format!("'{h}' is not a host name (use e.g. api.example.com or *.example.com)")),
            }
        })
        .collect()
}

/// `k=v&k2=v2` into pairs; every pair needs a key and an `=`.
pub fn params(v: &str) -> Result<Vec<(String, String)>, String> {
    v.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if !k.trim().is_empty() => {
                let mut parsed = url::form_urlencoded::parse(pair.as_bytes());
                parsed.next().map(|(k, v)| (k.into_owned(), v.into_owned())).ok_or_else(|| format!("'{pair}' is empty"))
            }
            _ => Err(format!("'{pair}' is not k=v; write parameters as k=v&k2=v2")),
        })
        .collect()
}

/// A handle: lowercase letters, digits and hyphens, starting with a letter or digit.
pub fn handle(h: &str) -> Result<(), String> {
    let ok = !h.is_empty()
        && h.len() <= 63
        && h.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !h.starts_with('-')
        && !h.ends_with('-');
    if ok {
        Ok(())
    } else if h.is_empty() {
        Err("is required (lowercase letters, digits and hyphens, e.g. sf-prod)".into())
    } else {
        Err(format!(
            "'{h}' is not a valid handle: use 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen (e.g. sf-prod)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::ChoiceOption;

    #[test]
    fn urls_must_be_https_unless_loopback() {
        assert!(url("https://auth.example.com/token").is_ok());
        assert!(url("http://127.0.0.1:8080/token").is_ok());
        assert!(url("http://localhost/token").is_ok());
        assert!(url("http://[::1]:9/token").is_ok());
        let e = url("http://auth.example.com/token").unwrap_err();
        assert!(e.contains("use https://"), "{e}");
        assert!(url("ftp://x.example.com").is_err());
        assert!(url("auth.example.com/token").unwrap_err().contains("not a URL"));
        assert!(url("https://user:pw@auth.example.com/").unwrap_err().contains("user name or password"));
    }

    #[test]
    fn handles() {
        for ok in ["sf-prod", "a", "acme2-uat-3"] {
            assert!(handle(ok).is_ok(), "{ok}");
        }
        for bad in ["", "SF", "sf prod", "-x", "x-", "sf_prod", "é", &"a".repeat(64)] {
            assert!(handle(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_normalise() {
        assert_eq!(value(&FieldKind::Bool, "Yes").unwrap(), "true");
        assert_eq!(value(&FieldKind::Method, "post").unwrap(), "POST");
        assert_eq!(value(&FieldKind::Scopes, "  api   refresh_token ").unwrap(), "api refresh_token");
        assert_eq!(value(&FieldKind::Hosts, "API.example.com, *.Example.org").unwrap(), "api.example.com,*.example.org");
        assert!(value(&FieldKind::Hosts, "https://api.example.com").is_err());
        assert!(value(&FieldKind::Port, "70000").is_err());
        assert!(value(&FieldKind::Path, "callback").is_err());
        assert!(value(&FieldKind::Params, "version=2&x").is_err());
        assert_eq!(value(&FieldKind::Date, " 2027-06-30 ").unwrap(), "2027-06-30");
        for (bad, says) in [
            ("30/06/2027", "YYYY-MM-DD"),
            ("2027-02-30", "YYYY-MM-DD"),
            ("2027-6-3x", "YYYY-MM-DD"),
            ("1999-12-31", "outside 2000-01-01 to 9999-12-31"),
            ("+10000-01-01", "outside 2000-01-01 to 9999-12-31"),
        ] {
            let err = value(&FieldKind::Date, bad).unwrap_err();
            assert!(err.contains(says) && err.contains(bad), "{bad}: {err}");
        }
        assert_eq!(value(&FieldKind::Date, "2000-01-01").unwrap(), "2000-01-01");
        assert_eq!(value(&FieldKind::Date, "9999-12-31").unwrap(), "9999-12-31");
        assert_eq!(params("version=2&q=a%20b").unwrap(), vec![("version".into(), "2".into()), ("q".into(), "a b".into())]);
        let kind = FieldKind::Choice { options: vec![ChoiceOption { value: "basic".into(), label: "B".into() }] };
        assert_eq!(value(&kind, "BASIC").unwrap(), "basic");
        assert!(value(&kind, "jwt").unwrap_err().contains("basic"));
        assert!(value(&FieldKind::Text, "abc\ndef").unwrap_err().contains("control character"));
        assert_eq!(value(&FieldKind::Text, "   ").unwrap(), "");
    }

    #[test]
    fn allowed_hosts_may_name_ports() {
        for ok in ["api.example.com:8443", "127.0.0.1:9", "[::1]:9", "[::1]", "*.example.org:444", "*.example.org", "localhost"] {
            assert!(hosts(ok).is_ok(), "{ok}: {:?}", hosts(ok));
        }
        for bad in ["https://a.example.com", "a.example.com/x", "a b", "*.127.0.0.1"] {
            assert!(hosts(bad).is_err(), "{bad}");
        }
    }
}
