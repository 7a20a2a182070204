//! Each format, with the answers the providers document.

use super::*;

fn json(body: &str) -> Problem {
    parse(Some("application/json"), body.as_bytes()).unwrap_or_else(|| panic!("no problem read from {body}"))
}

#[test]
fn rfc6749_json_gives_its_error_and_description() {
    // RFC 6749 §5.2.
    let p = json(r#"{"error":"invalid_request"}"#);
    assert_eq!((p.format, p.code(), p.description.as_deref()), (Format::Oauth, Some("invalid_request"), None));
    let p = json(r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#);
    assert_eq!(p.description.as_deref(), Some("expired access/refresh token"));
}

#[test]
fn entra_error_codes_and_aadsts_become_codes() {
    // learn.microsoft.com: the token endpoint's error response.
    let body = r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 1\r\nCorrelation ID: 2\r\nTimestamp: 2026-11-26 10:00:00Z","error_codes":[7000215],"timestamp":"2026-11-26 10:00:00Z","trace_id":"1","correlation_id":"2"}"#;
    let p = json(body);
    assert_eq!(p.format, Format::Entra);
    assert!(p.has_code("invalid_client") && p.has_code("AADSTS7000215"));
    // The array alone is enough.
    assert!(json(r#"{"error":"invalid_scope","error_codes":[70011]}"#).has_code("aadsts70011"));
}

#[test]
fn nested_errors_of_google_and_graph() {
    // cloud.google.com/apis/design/errors.
    let google = json(
        r#"{"error":{"code":403,"message":"Request had insufficient authentication scopes.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_SCOPE_INSUFFICIENT","domain":"googleapis.com"}]}}"#,
    );
    assert_eq!(google.format, Format::GoogleApi);
    assert!(google.has_code("PERMISSION_DENIED") && google.has_code("ACCESS_TOKEN_SCOPE_INSUFFICIENT"));
    // learn.microsoft.com/graph/errors.
    let graph = json(
        r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid.","innerError":{"date":"2026-11-26T10:00:00","request-id":"x"}}}"#,
    );
    assert_eq!(graph.format, Format::NestedError);
    assert_eq!(graph.code(), Some("InvalidAuthenticationToken"));
    assert_eq!(graph.description.as_deref(), Some("Access token has expired or is not yet valid."));
}

#[test]
fn okta_error_objects() {
    // developer.okta.com/docs/reference/error-codes.
    let p = json(
        r#"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oaeX","errorCauses":[{"errorSummary":"the token is expired"}]}"#,
    );
    assert_eq!((p.format, p.code()), (Format::Okta, Some("E0000011")));
    assert_eq!(p.description.as_deref(), Some("Invalid token provided; the token is expired"));
}

#[test]
fn salesforce_arrays_and_soap_faults() {
    // developer.salesforce.com: REST API status codes and error responses.
    let p = json(r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#);
    assert_eq!((p.format, p.code()), (Format::SalesforceArray, Some("INVALID_SESSION_ID")));
    let soap = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring><detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode><sf:exceptionMessage>Invalid Session ID found in SessionHeader: Illegal Session</sf:exceptionMessage></sf:UnexpectedErrorFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
    let p = parse(Some("text/xml"), soap.as_bytes()).unwrap_or_else(|| unreachable!());
    assert_eq!((p.format, p.code()), (Format::SoapFault, Some("INVALID_SESSION_ID")));
    assert!(p.description.unwrap_or_default().contains("Illegal Session"));
}

#[test]
fn hubspot_status_category_and_scopes() {
    // developers.hubspot.com: OAuth and API error responses.
    let oauth = json(r#"{"status":"BAD_CLIENT_ID","message":"missing or unknown client id","correlationId":"a1"}"#);
    assert_eq!((oauth.format, oauth.code()), (Format::Hubspot, Some("BAD_CLIENT_ID")));
    let scopes = json(
        r#"{"status":"error","message":"This app hasn't been granted all required scopes to make this call.","correlationId":"b2","errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["crm.objects.contacts.read"]}}],"category":"MISSING_SCOPES"}"#,
    );
    assert_eq!(scopes.code(), Some("MISSING_SCOPES"));
    assert_eq!(scopes.scopes, vec!["crm.objects.contacts.read".to_string()]);
}

#[test]
fn form_encoded_errors_with_or_without_a_content_type() {
    // docs.github.com: troubleshooting OAuth app access token request errors.
    let body =
        b"error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2Fdocs.github.com";
    for ct in [Some("application/x-www-form-urlencoded; charset=utf-8"), None] {
        let p = parse(ct, body).unwrap_or_else(|| unreachable!());
        assert_eq!((p.format, p.code()), (Format::Form, Some("bad_verification_code")));
        assert_eq!(p.description.as_deref(), Some("The code passed is incorrect or expired."));
    }
}

#[test]
fn gateway_faults_and_plain_messages() {
    let p = json(r#"{"fault":{"faultstring":"Invalid Access Token","detail":{"errorcode":"keymanagement.service.invalid_access_token"}}}"#);
    assert_eq!((p.format, p.code()), (Format::GatewayFault, Some("keymanagement.service.invalid_access_token")));
    let p = json(r#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}"#);
    assert_eq!((p.format, p.description.as_deref()), (Format::Message, Some("Bad credentials")));
    assert!(parse(Some("application/json"), br#"{"data":[]}"#).is_none());
}

#[test]
fn html_pages_are_read_by_their_visible_text() {
    let page = r#"<!DOCTYPE html><html><head><title>Error</title><style>.x{color:red}</style><script>var s = "invalid_grant";</script></head>
        <body><h1>Access blocked: This app&#39;s request is invalid</h1><p>Error 400: redirect_uri_mismatch</p></body></html>"#;
    let p = parse(Some("text/html"), page.as_bytes()).unwrap_or_else(|| unreachable!());
    assert_eq!(p.format, Format::Html);
    let text = p.description.clone().unwrap_or_default();
    assert!(text.contains("This app's request is invalid") && !text.contains("color:red"), "{text}");
    // A code in a script is not the page's message, except Entra's AADSTS code.
    assert!(!p.has_code("invalid_grant"));
    let entra = r#"<html><head><script>$Config={"strServiceExceptionMessage":"AADSTS50011: The redirect URI does not match"};</script></head><body></body></html>"#;
    assert!(parse(Some("text/html"), entra.as_bytes()).unwrap_or_else(|| unreachable!()).has_code("AADSTS50011"));
}

#[test]
fn plain_text_keeps_its_words() {
    let p = parse(Some("text/plain"), b"upstream connect error or disconnect/reset before headers").unwrap_or_else(|| unreachable!());
    assert_eq!(p.format, Format::Text);
    assert!(p.codes.is_empty());
    assert!(parse(None, b"  \n ").is_none());
}

#[test]
fn bearer_challenges_of_rfc6750() {
    // RFC 6750 §3.
    let p = www_authenticate(r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#)
        .unwrap_or_else(|| unreachable!());
    assert_eq!((p.code(), p.description.as_deref()), (Some("invalid_token"), Some("The access token expired")));
    let p = www_authenticate(
        r#"Bearer realm="example", error="insufficient_scope", scope="https://www.googleapis.com/auth/drive.readonly openid""#,
    )
    .unwrap_or_else(|| unreachable!());
    assert_eq!(p.scopes, vec!["https://www.googleapis.com/auth/drive.readonly".to_string(), "openid".to_string()]);
    assert!(www_authenticate(r#"Bearer realm="example""#).is_none());
    let escaped =
        www_authenticate(r#"Bearer error="invalid_token", error_description="a \"quoted\" word""#).unwrap_or_else(|| unreachable!());
    assert_eq!(escaped.description.as_deref(), Some(r#"a "quoted" word"#));
}

#[test]
fn a_response_joins_its_challenge_body_and_scope_headers() {
    let headers = vec![
        ("WWW-Authenticate".to_string(), r#"Bearer error="insufficient_scope", scope="read:users""#.to_string()),
        ("content-type".to_string(), "application/json".to_string()),
    ];
    let p =
        from_response(&headers, br#"{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:users"}"#)
            .unwrap_or_else(|| unreachable!());
    assert!(p.has_code("insufficient_scope") && p.has_code("Forbidden"));
    assert_eq!(p.scopes, vec!["read:users".to_string()]);
    let github = vec![
        ("x-oauth-scopes".to_string(), "repo".to_string()),
        ("x-accepted-oauth-scopes".to_string(), "admin:org, read:org".to_string()),
    ];
    let p = from_response(&github, br#"{"message":"Must have admin rights to Repository."}"#).unwrap_or_else(|| unreachable!());
    assert_eq!(p.scopes, vec!["admin:org".to_string(), "read:org".to_string()]);
}

#[test]
fn no_input_panics() {
    for body in ["{", "[", "<", "<a", "<<>>", "error=", "&error=%ZZ", "\u{0}\u{fffd}", "[1,2,{}]", "{\"error\":{}}", "{\"error\":null}"] {
        let _ = parse(None, body.as_bytes());
        let _ = parse(Some("text/html"), body.as_bytes());
        let _ = www_authenticate(body);
    }
    let _ = www_authenticate("Bearer error=\"unterminated");
    let _ = visible_text("<script>never closed");
}

#[test]
fn a_hostile_page_is_read_without_searching_it_again_for_each_tag() {
    // 512 KiB of unclosed script tags. Searched again at every tag, this takes minutes; read
    // once, milliseconds. The bound is far from either: it catches the quadratic case only.
    let page = "<script>".repeat(64 * 1024);
    let started = std::time::Instant::now();
    assert_eq!(visible_text(&page), "");
    let _ = parse(Some("text/html"), page.as_bytes());
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
}
