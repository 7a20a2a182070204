use chrono::Utc;

use super::network::without_password;
use super::profile::pasted_junk;
use super::*;
use crate::knowledge::findings;
use crate::secret::AccessToken;

#[test]
fn pasted_values_are_spotted() {
    assert!(pasted_junk("\"abc\"").is_some());
    assert!(pasted_junk("abc ").is_some());
    assert!(pasted_junk("a\nb").is_some());
    assert!(pasted_junk("3MVG9abc").is_none());
}

#[test]
fn tls_errors_are_told_apart() {
    let tls = |detail: &str| findings::recognise("tls", detail).map(|f| f.with(&[("detail", detail)]).finding).unwrap_or_default();
    assert!(tls("invalid peer certificate: UnknownIssuer").contains("unknown authority"));
    assert!(tls("invalid peer certificate: Expired").contains("expired"));
    assert!(tls("invalid peer certificate: NotValidForName").contains("another name"));
    assert!(findings::recognise("tls", "connection refused").is_none());
    assert!(tls("received fatal alert: CertificateRequired").contains("client certificate"));
    assert!(tls("received fatal alert: BadCertificate").contains("refused the client certificate"));
}

#[test]
fn a_clock_far_off_is_named() {
    let now = Utc::now();
    let t = AccessToken::new("opaque");
    assert!(clock(&t, now, Some(now + chrono::Duration::seconds(3600))).finding.contains("differs"));
    assert!(clock(&t, now, Some(now + chrono::Duration::seconds(2))).ok);
}

#[test]
fn a_proxy_password_is_never_shown() {
    assert_eq!(without_password("http://ops:hunter22@proxy.corp:3128"), "http://ops:****@proxy.corp:3128/");
    assert_eq!(without_password("http://proxy.corp:3128"), "http://proxy.corp:3128");
    assert_eq!(without_password("ops:hunter22@proxy.corp:3128"), "http://ops:****@proxy.corp:3128/");
    assert!(!without_password("ops:hunter22@proxy corp").contains("hunter22"));
}
