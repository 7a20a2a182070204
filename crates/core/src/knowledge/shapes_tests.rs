//! Each shape of the long tail, with the answers the providers document.

use super::super::{parse, Format};
use super::failed_in_body;

fn read(content_type: Option<&str>, body: &str) -> super::Problem {
    parse(content_type, body.as_bytes()).unwrap_or_else(|| panic!("no problem read from {body}"))
}

fn json(body: &str) -> super::Problem {
    read(Some("application/json"), body)
}

#[test]
fn ok_false_names_its_error_and_the_scopes_it_needed() {
    // api.slack.com/web#evaluating_responses: `ok: false` and an `error`, with HTTP 200.
    let p = json(r#"{"ok":false,"error":"missing_scope","needed":"users:read.email","provided":"channels:read,chat:write"}"#);
    assert_eq!((p.format, p.code()), (Format::OkFalse, Some("missing_scope")));
    assert_eq!(p.scopes, vec!["users:read.email".to_string()]);
    assert!(json(r#"{"ok":false,"error":"invalid_auth"}"#).has_code("invalid_auth"));
    // Without words `ok: false` still says the call failed.
    assert!(json(r#"{"ok":false}"#).has_code("ok_false"));
}

#[test]
fn problem_details_in_any_key_case() {
    // RFC 9457 §3.
    let p = read(
        Some("application/problem+json"),
        r#"{"type":"https://example.com/probs/out-of-credit","title":"You do not have enough credit.","detail":"Your current balance is 30, but that costs 50.","instance":"/account/12345/msgs/abc","balance":30}"#,
    );
    assert_eq!((p.format, p.code()), (Format::ProblemDetails, Some("out-of-credit")));
    assert_eq!(p.description.as_deref(), Some("You do not have enough credit.; Your current balance is 30, but that costs 50."));
    // developer.xero.com/documentation/oauth2/troubleshooting: capitalised keys, a null type.
    let xero = json(
        r#"{"Type":null,"Title":"Unauthorized","Status":401,"Detail":"AuthenticationUnsuccessful","Instance":"d04e9f32-44cf-46fc-a4b7-a9b90f64f77d","Extensions":{}}"#,
    );
    assert_eq!((xero.format, xero.code()), (Format::ProblemDetails, Some("AuthenticationUnsuccessful")));
    assert!(xero.description.unwrap_or_default().contains("Unauthorized"));
}

#[test]
fn error_lists_with_nested_codes_and_messages() {
    // developer.x.com: `{"errors":[{"code":89,"message":…}]}`, a numeric provider code.
    let p = json(r#"{"errors":[{"code":89,"message":"Invalid or expired token."}]}"#);
    assert_eq!((p.format, p.code(), p.description.as_deref()), (Format::ErrorList, Some("89"), Some("Invalid or expired token.")));
    // An `errorCode` per item.
    assert!(json(r#"{"errors":[{"errorCode":"INVALID_TOKEN","message":"Token expired"}]}"#).has_code("INVALID_TOKEN"));
    // JSON:API (Zendesk and others): status, code, title, detail.
    let p = json(r#"{"errors":[{"status":"401","code":"unauthorized","title":"Unauthorized","detail":"Invalid token"}]}"#);
    assert!(p.has_code("unauthorized") && !p.has_code("401"));
    assert!(p.description.unwrap_or_default().contains("Invalid token"));
    // GraphQL (Shopify Admin API): `extensions.code`.
    let p = json(
        r#"{"errors":[{"message":"Access denied for shop field.","extensions":{"code":"ACCESS_DENIED","requiredAccess":"`read_products` access scope."}}]}"#,
    );
    assert!(p.has_code("ACCESS_DENIED"));
    // Shopify REST: `errors` as one sentence.
    let p = json(r#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#);
    assert!(p.description.unwrap_or_default().contains("Invalid API key"));
    // developer.atlassian.com (Jira REST): `errorMessages` and a field map.
    let p = json(
        r#"{"errorMessages":["You do not have the permission to see the specified issue."],"errors":{"project":"project is required"}}"#,
    );
    let d = p.description.unwrap_or_default();
    assert!(d.contains("permission to see") && d.contains("project: project is required"), "{d}");
}

#[test]
fn a_nested_error_keeps_its_numeric_code_subcode_type_and_detail() {
    // developers.facebook.com/docs/graph-api/guides/error-handling.
    let p = json(
        r#"{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"EJplcsCHuLu"}}"#,
    );
    assert!(p.has_code("190") && p.has_code("463") && p.has_code("OAuthException"), "{:?}", p.codes);
    // docs.servicenow.com: REST API error `{"error":{"message","detail"},"status":"failure"}`.
    let p = json(r#"{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}"#);
    assert_eq!(p.description.as_deref(), Some("User Not Authenticated; Required to provide Auth information"));
}

#[test]
fn status_and_message_and_numeric_codes() {
    // developers.zoom.us: `{"code":124,"message":"Invalid access token."}`.
    let p = json(r#"{"code":124,"message":"Invalid access token."}"#);
    assert_eq!((p.code(), p.description.as_deref()), (Some("124"), Some("Invalid access token.")));
    // An HTTP status echoed as the code says no more than the status line (Atlassian).
    assert!(json(r#"{"code":401,"message":"Unauthorized; scope does not match"}"#).codes.is_empty());
    // A status that names more than "error" is a code; "error" is not.
    assert!(json(r#"{"status":"INVALID_TOKEN","message":"The token is invalid"}"#).has_code("INVALID_TOKEN"));
    assert!(json(r#"{"status":"error","message":"Something failed"}"#).codes.is_empty());
    // Box: `{"type":"error","status":401,"code":"unauthorized",…}`.
    assert!(
        json(r#"{"type":"error","status":401,"code":"unauthorized","message":"Unauthorized","request_id":"abc"}"#).has_code("unauthorized")
    );
}

#[test]
fn xml_errors_of_every_kind() {
    // NetSuite SuiteTalk Platform Guide: a SOAP 1.1 fault with the code in its detail.
    let netsuite = r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server.userException</faultcode><faultstring>com.netledger.dto.faults.InvalidCredentialsFault: You have entered an invalid e-mail address or account number. Please try again.</faultstring><detail><platformFaults:invalidCredentialsFault xmlns:platformFaults="urn:faults_2017_1.platform.webservices.netsuite.com"><platformFaults:code>INVALID_USERNAME</platformFaults:code><platformFaults:message>You have entered an invalid e-mail address or account number. Please try again.</platformFaults:message></platformFaults:invalidCredentialsFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
    let p = read(Some("text/xml"), netsuite);
    assert_eq!(p.format, Format::SoapFault);
    assert!(p.has_code("INVALID_USERNAME") && p.description.unwrap_or_default().contains("invalid e-mail"));
    // SOAP 1.2 (W3C SOAP 1.2 Part 1 §5.4): `Code/Value` and `Reason/Text`.
    let soap12 = r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en">Authentication failed</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>"#;
    let p = read(Some("application/soap+xml"), soap12);
    assert!(p.has_code("Sender") && p.description.as_deref() == Some("Authentication failed"), "{p:?}");
    // A plain XML error: `<error><code>`/`<message>`.
    let p = read(Some("application/xml"), "<error><code>InvalidToken</code><message>The token is invalid</message></error>");
    assert_eq!((p.format, p.code(), p.description.as_deref()), (Format::Xml, Some("InvalidToken"), Some("The token is invalid")));
    // Xero's `ApiException`.
    let p = read(None, "<ApiException><ErrorNumber>16</ErrorNumber><Type>QueryParseException</Type><Message>No property or field 'X' exists</Message></ApiException>");
    assert!(p.has_code("16") && p.has_code("QueryParseException"), "{:?}", p.codes);
}

#[test]
fn oauth1_problems_form_encoded() {
    // oauth.pbworks.com ProblemReporting, as Xero's OAuth 1.0a API answered.
    let p = read(None, "oauth_problem=token_rejected&oauth_problem_advice=Token%20does%20not%20match%20an%20expected%20REQUEST%20token");
    assert_eq!((p.format, p.code()), (Format::Form, Some("token_rejected")));
    assert!(p.description.unwrap_or_default().contains("does not match"));
}

#[test]
fn plain_text_bodies_keep_their_words() {
    let p = read(Some("text/plain"), "Invalid client secret");
    assert_eq!((p.format, p.description.as_deref()), (Format::Text, Some("Invalid client secret")));
}

#[test]
fn a_success_whose_body_says_it_failed() {
    let json = Some("application/json");
    for failed in [
        r#"{"ok":false,"error":"invalid_auth"}"#,
        r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty."}}"#,
        r#"{"error":"invalid_token"}"#,
        r#"{"errors":[{"message":"Access denied"}],"data":null}"#,
        r#"{"errors":"[API] Invalid API key"}"#,
        r#"{"fault":{"faultstring":"Invalid Access Token"}}"#,
        r#"{"status":"error","message":"bad"}"#,
        r#"{"success":false,"message":"bad"}"#,
        r#"[{"errorCode":"INVALID_SESSION_ID","message":"Session expired or invalid"}]"#,
    ] {
        assert!(failed_in_body(json, failed.as_bytes()), "{failed}");
    }
    for fine in [
        r#"{"ok":true,"url":"https://x.slack.com/","user":"u","warning":"superfluous_charset"}"#,
        r#"{"id":"1","name":"Ada","error":null,"errors":[]}"#,
        r#"{"data":{"shop":{"name":"x"}},"errors":[{"message":"a deprecated field"}]}"#,
        r#"{"status":"active","email":"a@example.com"}"#,
        r#"[{"id":1}]"#,
        "",
    ] {
        assert!(!failed_in_body(json, fine.as_bytes()), "{fine}");
    }
    let fault = "<soapenv:Envelope><soapenv:Body><soapenv:Fault><faultcode>x</faultcode></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
    assert!(failed_in_body(Some("text/xml"), fault.as_bytes()));
    assert!(failed_in_body(None, b"<?xml version=\"1.0\"?><error><code>1</code></error>"));
    assert!(!failed_in_body(Some("text/xml"), b"<?xml version=\"1.0\"?><user><name>Ada</name></user>"));
    assert!(!failed_in_body(Some("text/html"), b"<html><body>Fault</body></html>"));
}

#[test]
fn oracle_error_details_name_their_codes_before_the_type() {
    // docs.oracle.com NetSuite "Error Handling in REST Web Services": `o:errorDetails` items.
    let p = read(
        Some("application/vnd.oracle.resource+json; type=error; charset=UTF-8"),
        r#"{"type":"https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html","title":"Unauthorized","status":401,"o:errorDetails":[{"detail":"Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.","o:errorCode":"INVALID_LOGIN"}]}"#,
    );
    assert_eq!((p.format, p.code()), (Format::ProblemDetails, Some("INVALID_LOGIN")));
    let words = p.description.unwrap_or_default();
    assert!(words.contains("Invalid login attempt") && words.contains("Unauthorized"), "{words}");
    // Every item is read, with its path beside; a top-level `o:errorCode` counts too.
    let many = json(
        r#"{"type":"https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1","title":"Bad Request","status":400,"o:errorDetails":[{"detail":"Error while accessing resource: You have entered an Invalid Field Value 9999 for the following field: item","o:errorCode":"INVALID_CONTENT","o:errorPath":"item.items[0].item"},{"detail":"second","o:errorCode":"USER_ERROR"}]}"#,
    );
    assert_eq!(many.code(), Some("INVALID_CONTENT"));
    assert!(many.has_code("USER_ERROR") && many.description.unwrap_or_default().contains("Invalid Field Value"));
    let top = json(r#"{"title":"Unauthorized","status":401,"o:errorCode":"INVALID_LOGIN"}"#);
    assert_eq!(top.code(), Some("INVALID_LOGIN"));
}

#[test]
fn tagged_unions_name_each_tag_the_rate_limit_reason_and_the_scope_needed() {
    // dropbox.com/developers/documentation/http/documentation#error-handling: an `error`
    // union whose `.tag` is the code, with an `error_summary` beside it.
    for tag in ["expired_access_token", "invalid_access_token", "missing_scope", "invalid_select_user", "user_suspended"] {
        let p = json(&format!(r#"{{"error_summary":"{tag}/...","error":{{".tag":"{tag}"}}}}"#));
        assert_eq!((p.format, p.code()), (Format::NestedError, Some(tag)), "{tag}");
    }
    let scope = json(r#"{"error_summary":"missing_scope/..","error":{".tag":"missing_scope","required_scope":"files.content.read"}}"#);
    assert_eq!(scope.scopes, vec!["files.content.read".to_string()]);
    // A member that is itself a union: each tag, the outer one first.
    let path = json(r#"{"error_summary":"path/not_found/..","error":{".tag":"path","path":{".tag":"not_found"}}}"#);
    assert_eq!(path.codes, vec!["path".to_string(), "not_found".to_string()]);
    // The 429's reason is a union of its own.
    let limited = json(r#"{"error_summary":"too_many_requests/..","error":{"reason":{".tag":"too_many_requests"},"retry_after":300}}"#);
    assert!(limited.has_code("too_many_requests"));
    assert!(failed_in_body(Some("application/json"), br#"{"error":{".tag":"expired_access_token"}}"#));
}

#[test]
fn an_upper_case_name_and_a_problems_reason_are_codes() {
    // developer.paypal.com/api/rest/responses: `name` is the error, `message` its words.
    for name in ["AUTHENTICATION_FAILURE", "NOT_AUTHORIZED", "RATE_LIMIT_REACHED", "INVALID_REQUEST"] {
        let p = json(&format!(r#"{{"name":"{name}","message":"Some words.","debug_id":"90957fca61718"}}"#));
        assert_eq!((p.code(), p.description.as_deref()), (Some(name), Some("Some words.")), "{name}");
    }
    // A name in other words is no code.
    for name in ["Error", "not_found", "TypeError", "Validation Error"] {
        assert!(!json(&format!(r#"{{"name":"{name}","message":"Some words."}}"#)).has_code(name), "{name}");
    }
    // docs.x.com/x-api/fundamentals/response-codes-and-errors: the `reason` before the type.
    let x = json(
        r#"{"client_id":"101010101","required_enrollment":"Appropriate Level of API Access","registration_url":"https://developer.x.com/en/portal/product","title":"Client Forbidden","detail":"This request must be made using an approved developer account that is enrolled in the requested endpoint.","reason":"client-not-enrolled","type":"https://api.x.com/2/problems/client-forbidden"}"#,
    );
    assert_eq!(x.codes, vec!["client-not-enrolled".to_string(), "client-forbidden".to_string()]);
}

#[test]
fn the_words_of_gateways_and_apis_that_name_them_otherwise() {
    // figma.com/developers/api#errors: `err` beside the status.
    assert_eq!(json(r#"{"status":403,"err":"Invalid token"}"#).description.as_deref(), Some("Invalid token"));
    // clickup.com/api (common errors): `err` and an `ECODE`.
    let clickup = json(r#"{"err":"Team not authorized","ECODE":"OAUTH_027"}"#);
    assert_eq!((clickup.code(), clickup.description.as_deref()), (Some("OAUTH_027"), Some("Team not authorized")));
    // Apigee's OAuthV2 policy: capitalised `ErrorCode` and `Error`.
    let apigee = json(r#"{"ErrorCode":"invalid_client","Error":"Client credentials are invalid"}"#);
    assert_eq!((apigee.code(), apigee.description.as_deref()), (Some("invalid_client"), Some("Client credentials are invalid")));
    // WSO2 API Manager: what failed is in `description`.
    let wso2 = json(
        r#"{"code":"900910","message":"The access token does not allow you to access the requested resource","description":"User is NOT authorized to access the Resource: /pets. Scope validation failed."}"#,
    );
    assert!(wso2.description.unwrap_or_default().contains("Scope validation failed"));
}

#[test]
fn an_error_list_names_the_field_and_what_is_wrong_with_it() {
    // developers.strava.com: `{"resource","field","code"}` items.
    let p = json(
        r#"{"message":"Authorization Error","errors":[{"resource":"AccessToken","field":"activity:read_permission","code":"missing"}]}"#,
    );
    assert!(p.description.unwrap_or_default().contains("AccessToken activity:read_permission missing"));
    // An item without a field says no more than its code.
    let q = json(r#"{"message":"Bad Request","errors":[{"resource":"Application","field":"","code":"invalid"}]}"#);
    assert_eq!(q.description.as_deref(), Some("Bad Request"));
}

#[test]
fn a_hint_beside_the_generic_description_is_read() {
    // ory.sh/docs/hydra/debug: the RFC's description, then an `error_hint`.
    let p = json(
        r#"{"error":"invalid_request","error_description":"The request is missing a required parameter.","error_hint":"The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls."}"#,
    );
    assert!(p.description.unwrap_or_default().contains("pre-registered redirect urls"));
    assert_eq!(
        super::described(Some("The request is malformed."), Some("Missing code.")).as_deref(),
        Some("The request is malformed. Missing code.")
    );
    assert_eq!(super::described(None, Some(" ")), None);
}

#[test]
fn a_reason_beside_an_oauth_error_is_its_words() {
    // developers.zoom.us (OAuth): `{"reason","error"}`.
    let p = json(r#"{"reason":"Invalid Token!","error":"invalid_request"}"#);
    assert_eq!((p.code(), p.description.as_deref()), (Some("invalid_request"), Some("Invalid Token!")));
}
