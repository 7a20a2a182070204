//! Pastes as support staff have them.

use super::*;

#[test]
fn curl_include_output_gives_the_last_response() {
    let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/2 400 \r\ncontent-type: application/json;charset=UTF-8\r\ndate: Thu, 26 Nov 2026 10:00:00 GMT\r\n\r\n{\"error\":\"invalid_grant\",\"error_description\":\"authentication failure\"}\r\n";
    let p = read(text);
    assert_eq!(p.status, Some(400));
    assert_eq!(p.header("Content-Type"), Some("application/json;charset=UTF-8"));
    let problem = p.problem().unwrap_or_else(|| unreachable!());
    assert_eq!(problem.code(), Some("invalid_grant"));
}

#[test]
fn curl_verbose_output_shows_the_request_and_the_response() {
    let text = "* Connected to acme.my.salesforce.com\n> POST /services/oauth2/token HTTP/2\n> Host: acme.my.salesforce.com\n> content-type: application/x-www-form-urlencoded\n>\n} [45 bytes data]\n< HTTP/2 400\n< content-type: application/json\n<\n{\"error\":\"invalid_client\",\"error_description\":\"invalid client credentials\"}\n* Connection #0 left intact\n";
    let p = read(text);
    assert_eq!(p.status, Some(400));
    assert!(p.request.contains("Host: acme.my.salesforce.com"));
    assert_eq!(p.stage(None), Some(Stage::Token));
    assert_eq!(p.problem().and_then(|p| p.code().map(str::to_string)).as_deref(), Some("invalid_client"));
}

#[test]
fn a_log_line_with_json_inside() {
    let text = "2026-11-26T09:12:03Z ERROR sync-job: OAUTH ERROR (HTTP 400) {\"error\":\"invalid_grant\",\"error_description\":\"expired access/refresh token\"} while refreshing";
    let p = read(text);
    assert_eq!(p.status, Some(400));
    let problem = p.problem().unwrap_or_else(|| unreachable!());
    assert_eq!((problem.code(), problem.description.as_deref()), (Some("invalid_grant"), Some("expired access/refresh token")));
}

#[test]
fn a_callback_url_with_an_error_is_an_authorization_answer() {
    let p = read("http://127.0.0.1:1717/callback?error=access_denied&error_description=end-user+denied+authorization&state=x");
    assert_eq!(p.stage(None), Some(Stage::Authorize));
    assert_eq!(p.problem().and_then(|p| p.code().map(str::to_string)).as_deref(), Some("access_denied"));
}

#[test]
fn a_bearer_challenge_is_an_api_answer() {
    let p = read(
        "HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"The access token expired\"\n\n",
    );
    assert_eq!(p.stage(None), Some(Stage::Test));
    assert_eq!(p.problem().and_then(|p| p.code().map(str::to_string)).as_deref(), Some("invalid_token"));
}

#[test]
fn a_refresh_request_is_told_from_a_new_token() {
    let p = read("> POST /oauth2/v2.0/token HTTP/1.1\n> \n> grant_type=refresh_token&refresh_token=[redacted]\n< HTTP/1.1 400\n<\n{\"error\":\"invalid_grant\"}");
    assert_eq!(p.stage(None), Some(Stage::Refresh));
}

#[test]
fn any_text_is_read_without_panic() {
    let big = "é".repeat(MAX_PASTE);
    for text in ["", "HTTP/", "HTTP/1.1 abc", "HTTP/1.1 999", "< ", ">", "{\"a\":", &big, "status code 4000"] {
        let p = read(text);
        let _ = p.problem();
        let _ = p.stage(None);
    }
}

#[test]
fn a_redirect_back_with_an_error_is_read_from_its_location() {
    let p =
        read("HTTP/1.1 302 Found\nLocation: http://127.0.0.1:1717/callback?error=invalid_scope&error_description=bad+scope&state=s\n\n");
    assert_eq!(p.stage(None), Some(Stage::Authorize));
    let problem = p.problem().unwrap_or_else(|| unreachable!());
    assert_eq!((problem.code(), problem.description.as_deref()), (Some("invalid_scope"), Some("bad scope")));
}
