//! The long tail of error shapes, each from the providers' documented answers:
//!
//! - `{"ok": false, "error": "missing_scope", "needed", "provided"}` (Slack), even in a 200;
//! - RFC 9457 problem details (`type`/`title`/`status`/`detail`, any key case, as Xero writes
//!   them capitalised), with Oracle's `o:errorDetails` (NetSuite);
//! - `errors` lists: `[{"code","message"}]`, `[{"errorCode"}]`, JSON:API's
//!   `[{"status","code","title","detail"}]`, GraphQL's `extensions.code`, Atlassian's
//!   `errorMessages` with an `errors` map, a bare `"errors": "text"`;
//! - a nested `error` object's numeric `code`, `error_subcode`, `type` and `detail`;
//! - `{"status","message"}` and numeric provider codes (Zoom's `124`, Twitter's `89`), with
//!   PayPal's upper-case `name` (`AUTHENTICATION_FAILURE`);
//! - Dropbox's tagged unions (`{"error":{".tag":"expired_access_token"}}`), with the scope
//!   a `missing_scope` names;
//! - SOAP 1.2 faults (`Code/Value`, `Reason/Text`), Xero's `ApiException`, any XML error;
//! - OAuth 1's `oauth_problem` (form-encoded).
//!
//! A numeric code is the provider's own code unless it is an HTTP status (400–599) that says
//! no more than the status line does.

use serde_json::{Map, Value};

use super::markup::{decode_entities, xml_text};
use super::{Format, Problem};

/// The value of `key` in an object, in any case (`Title`, `title`).
fn get<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key).or_else(|| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

fn get_str<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    get(o, key).and_then(Value::as_str)
}

/// A provider's code in a value: a string, or a number that is not an HTTP status.
fn code_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => n.as_u64().filter(|n| !(400..600).contains(n)).map(|n| n.to_string()),
        _ => None,
    }
}

/// A subcode or error number: any string or number is the provider's own.
fn any_code(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        v => code_of(v),
    }
}

/// Statuses that only say "this is an error".
fn generic_status(s: &str) -> bool {
    ["error", "errors", "fail", "failed", "failure", "ok", "success"].iter().any(|g| g.eq_ignore_ascii_case(s.trim()))
}

/// One word that reads as a code (`AuthenticationUnsuccessful`, `INVALID_LOGIN`), not a sentence.
fn code_like(s: &str) -> bool {
    word(s) && s.trim().len() >= 3
}

/// One token without spaces (a number counts).
fn word(s: &str) -> bool {
    let s = s.trim();
    (1..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':'))
}

fn done(p: Problem) -> Option<Problem> {
    (!p.codes.is_empty() || p.description.is_some() || !p.scopes.is_empty()).then_some(p)
}

/// The shapes read before the first ones: `ok: false`, problem details and `errors` lists.
/// `None` leaves the object to the first shapes.
pub(super) fn from_object(o: &Map<String, Value>) -> Option<Problem> {
    if o.get("ok") == Some(&Value::Bool(false)) {
        return ok_false(o);
    }
    if o.get("error").is_some_and(|e| e.is_string() || e.is_object()) {
        return None;
    }
    let has = |k: &str| get(o, k).is_some_and(|v| !v.is_null());
    if (has("title") || has("detail")) && (has("type") || has("status") || has("instance")) && !has("errors") {
        return problem_details(o);
    }
    // HubSpot's `{"status","category","errors"}` is read by its own shape.
    let hubspot = o.get("status").is_some_and(Value::is_string) && (o.contains_key("correlationId") || o.contains_key("category"));
    if !hubspot && (get(o, "errors").is_some_and(|e| !e.is_null()) || get(o, "errorMessages").is_some()) {
        return error_list(o);
    }
    None
}

/// Slack's `{"ok": false, "error": "…"}`: the error, its words, the scopes it needed.
fn ok_false(o: &Map<String, Value>) -> Option<Problem> {
    let mut p = Problem::new(Format::OkFalse);
    match o.get("error") {
        Some(Value::String(e)) => p.add_code(e),
        Some(Value::Object(e)) => nested_extra(e, &mut p),
        _ => {}
    }
    for key in ["error_description", "message", "detail", "error_message"] {
        p.describe(get_str(o, key));
    }
    // `needed` is what the call needs; `provided` is what the token has.
    for s in get_str(o, "needed").unwrap_or_default().split([',', ' ']).filter(|s| !s.is_empty()) {
        if !p.scopes.iter().any(|x| x == s) {
            p.scopes.push(s.to_string());
        }
    }
    if p.codes.is_empty() && p.description.is_none() {
        // `ok: false` says the call failed, even without words.
        p.add_code("ok_false");
    }
    done(p)
}

/// RFC 9457 problem details: the `type`'s last segment and any code as codes, the `title`
/// and `detail` as words (a one-word `detail`, as Xero's, is a code too).
fn problem_details(o: &Map<String, Value>) -> Option<Problem> {
    let mut p = Problem::new(Format::ProblemDetails);
    // X's `reason` (`client-not-enrolled`) says more than its `type` (`client-forbidden`).
    for key in ["code", "errorCode", "error_code", "o:errorCode", "reason"] {
        if let Some(c) = get(o, key).and_then(code_of) {
            p.add_code(&c);
        }
    }
    oracle_details(o, &mut p);
    if let Some(t) = get_str(o, "type").map(str::trim).filter(|t| !t.is_empty() && *t != "about:blank") {
        let last = t.trim_end_matches('/').rsplit(['/', '#']).next().unwrap_or(t);
        p.add_code(last);
    }
    if let Some(d) = get_str(o, "detail").filter(|d| code_like(d)) {
        p.add_code(d);
    }
    p.describe(get_str(o, "title"));
    p.describe(get_str(o, "detail"));
    collect_list(o, &mut p);
    done(p)
}

/// Oracle's `o:errorDetails` (NetSuite's REST web services): each item's `o:errorCode` and
/// `detail`, read before the `type`, whose last segment there is only a page of RFC 2616.
fn oracle_details(o: &Map<String, Value>, p: &mut Problem) {
    for item in get(o, "o:errorDetails").and_then(Value::as_array).into_iter().flatten().take(20) {
        if let Some(c) = item.get("o:errorCode").and_then(code_of) {
            p.add_code(&c);
        }
        p.describe(item.get("detail").and_then(Value::as_str));
    }
}

/// The items of `errors` (or `errorMessages`) and the object's own `code` and `message`.
fn error_list(o: &Map<String, Value>) -> Option<Problem> {
    let mut p = Problem::new(Format::ErrorList);
    for key in ["code", "errorCode", "error_code"] {
        if let Some(c) = get(o, key).and_then(code_of) {
            p.add_code(&c);
        }
    }
    collect_list(o, &mut p);
    p.describe(get_str(o, "message"));
    done(p)
}

fn collect_list(o: &Map<String, Value>, p: &mut Problem) {
    let errors = get(o, "errors");
    match errors {
        Some(Value::Array(items)) => {
            for item in items.iter().take(20) {
                match item {
                    Value::String(s) => p.describe(Some(s)),
                    Value::Object(e) => list_item(e, p),
                    _ => {}
                }
            }
        }
        Some(Value::String(s)) => p.describe(Some(s)),
        // Atlassian's field map: `{"field": "what is wrong with it"}`.
        Some(Value::Object(map)) => {
            for (field, v) in map.iter().take(20) {
                match v {
                    Value::String(s) => p.describe(Some(&format!("{field}: {s}"))),
                    Value::Array(items) => {
                        for s in items.iter().filter_map(Value::as_str).take(20) {
                            p.describe(Some(&format!("{field}: {s}")));
                        }
                    }
                    Value::Object(e) => list_item(e, p),
                    _ => {}
                }
            }
        }
        _ => {}
    }
    for s in get(o, "errorMessages").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).take(20) {
        p.describe(Some(s));
    }
}

fn list_item(e: &Map<String, Value>, p: &mut Problem) {
    for key in ["code", "errorCode", "error_code", "error", "reason"] {
        if let Some(c) = get(e, key).and_then(code_of) {
            p.add_code(&c);
        }
    }
    if let Some(c) = e.get("extensions").and_then(|x| x.get("code")).and_then(code_of) {
        p.add_code(&c);
    }
    // Strava's (and GitHub's validation errors') `{"resource","field","code"}`: the field's
    // name and what is wrong with it are the words (`access_token invalid`).
    if let (Some(field), Some(code)) = (get_str(e, "field").filter(|f| !f.trim().is_empty()), get_str(e, "code")) {
        let resource = get_str(e, "resource").unwrap_or_default();
        p.describe(Some(format!("{resource} {field} {code}").trim()));
    }
    for key in ["message", "title", "detail", "description", "errorMessage", "error_description"] {
        p.describe(get_str(e, key));
    }
}

/// What a nested `error` object says beyond its string `code`, `status` and `message`: a
/// numeric code, a subcode, a `type` (`OAuthException`), an `errorCode`, a `detail`.
pub(super) fn nested_extra(e: &Map<String, Value>, p: &mut Problem) {
    for key in ["code", "errorCode", "type"] {
        if let Some(c) = e.get(key).and_then(code_of) {
            p.add_code(&c);
        }
    }
    for key in ["error_subcode", "subcode"] {
        if let Some(c) = e.get(key).and_then(any_code) {
            p.add_code(&c);
        }
    }
    p.describe(e.get("message").and_then(Value::as_str));
    p.describe(e.get("detail").and_then(Value::as_str));
    tagged_union(e, p);
}

/// Dropbox's tagged unions: the `.tag` of the error and of each member it selects
/// (`{".tag":"path","path":{".tag":"not_found"}}` is `path`, then `not_found`), the rate
/// limit's `reason`, and the `required_scope` a `missing_scope` names.
fn tagged_union(e: &Map<String, Value>, p: &mut Problem) {
    let mut at = Some(e);
    for _ in 0..5 {
        let Some(o) = at else { break };
        let Some(tag) = o.get(".tag").and_then(Value::as_str) else { break };
        p.add_code(tag);
        at = o.get(tag).and_then(Value::as_object);
    }
    if let Some(tag) = e.get("reason").and_then(|r| r.get(".tag")).and_then(Value::as_str) {
        p.add_code(tag);
    }
    if let Some(scope) = e.get("required_scope").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()) {
        if !p.scopes.iter().any(|s| s == scope) {
            p.scopes.push(scope.to_string());
        }
    }
}

/// What a plain `{"message"}` object says beyond its string code: a numeric provider code,
/// and a `status` that names more than "error".
pub(super) fn message_extra(o: &Map<String, Value>, p: &mut Problem) {
    for key in ["code", "error_code", "errorCode"] {
        if let Some(c) = o.get(key).and_then(code_of) {
            p.add_code(&c);
        }
    }
    if let Some(s) = o.get("status").and_then(Value::as_str).filter(|s| !generic_status(s) && code_like(s)) {
        p.add_code(s);
    }
    // PayPal names its error in capitals (`NOT_AUTHORIZED`); a `name` in other words is
    // no code.
    if let Some(n) =
        o.get("name").and_then(Value::as_str).filter(|n| code_like(n) && n.contains('_') && !n.chars().any(|c| c.is_ascii_lowercase()))
    {
        p.add_code(n);
    }
}

/// What an XML error says beyond its SOAP 1.1 fault: SOAP 1.2's `Code/Value` and
/// `Reason/Text`, Xero's `ErrorNumber` and `Type`, and whether it is a fault at all.
pub(super) fn xml_extra(xml: &str, p: &mut Problem) {
    if xml_text(xml, "Fault").is_none() {
        p.format = Format::Xml;
    }
    for name in ["Value", "ErrorNumber", "Type"] {
        if let Some(code) = xml_text(xml, name).filter(|c| word(c)) {
            p.add_code(code.rsplit(':').next().unwrap_or(code));
        }
    }
    for name in ["Text", "Detail", "error_description", "Description"] {
        p.describe(xml_text(xml, name).map(decode_entities).as_deref());
    }
}

/// Whether a 2xx answer's body says the call failed: `ok: false`, `success: false`, an
/// `error` (a word or an object), `errors` without `data`, a `fault`, a status of "error",
/// a list of error objects, a SOAP fault or an XML error document.
pub fn failed_in_body(content_type: Option<&str>, body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if let Ok(v) = serde_json::from_str::<Value>(trimmed) {
        return match &v {
            Value::Object(o) => json_failed(o),
            Value::Array(items) => {
                !items.is_empty() && items.iter().all(|i| i.get("errorCode").is_some_and(Value::is_string) && i.get("message").is_some())
            }
            _ => false,
        };
    }
    let xml = content_type.is_some_and(|c| c.to_ascii_lowercase().contains("xml")) || trimmed.starts_with('<');
    xml && !super::is_html(trimmed) && xml_failed(trimmed)
}

fn json_failed(o: &Map<String, Value>) -> bool {
    if o.get("ok") == Some(&Value::Bool(true)) {
        // Slack's success, whatever `warning` or other words ride beside it.
        return false;
    }
    let no_data = o.get("data").is_none_or(Value::is_null);
    o.get("ok") == Some(&Value::Bool(false))
        || o.get("success") == Some(&Value::Bool(false))
        || match o.get("error") {
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(Value::Object(e)) => !e.is_empty(),
            Some(Value::Bool(b)) => *b,
            _ => false,
        }
        || (no_data
            && match o.get("errors") {
                Some(Value::Array(a)) => !a.is_empty(),
                Some(Value::String(s)) => !s.trim().is_empty(),
                _ => false,
            })
        || o.get("fault").is_some_and(Value::is_object)
        || o.get("status")
            .and_then(Value::as_str)
            .is_some_and(|s| ["error", "fail", "failed", "failure"].contains(&s.trim().to_ascii_lowercase().as_str()))
}

/// A SOAP fault anywhere, or a document whose root element is an error.
fn xml_failed(xml: &str) -> bool {
    if xml_text(xml, "Fault").is_some() {
        return true;
    }
    let root = xml
        .match_indices('<')
        .map(|(i, _)| super::text::after(xml, i + 1))
        .find(|rest| !rest.starts_with('?') && !rest.starts_with('!'))
        .and_then(|rest| rest.split(|c: char| c.is_whitespace() || c == '>' || c == '/').next())
        .unwrap_or_default();
    let local = root.rsplit(':').next().unwrap_or(root).to_ascii_lowercase();
    ["error", "errors", "fault", "apiexception", "oauth_problem"].contains(&local.as_str())
}

#[cfg(test)]
#[path = "shapes_tests.rs"]
mod tests;

/// A redirect's `error_description` with the `error_hint` Ory's servers add beside it (the
/// RFC's generic description, then what is wrong).
pub fn described(description: Option<&str>, hint: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [description, hint].into_iter().flatten().map(str::trim).filter(|t| !t.is_empty()).collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}
