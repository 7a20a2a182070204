//! The knowledge base as a whole: every file parses, every entry is complete and explains
//! its own documented example, and the lookup's rules hold.

use super::*;

#[test]
fn every_file_parses_and_every_entry_is_complete() {
    assert!(broken().is_empty(), "{:?}", broken());
    let all = entries();
    let mut ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "entry ids are unique");
    for e in all {
        assert!(e.error.is_some() || e.description.is_some(), "{} matches something", e.id);
        assert!(!e.fix.is_empty() && e.fix.iter().all(|f| !f.trim().is_empty()), "{} says how to fix it", e.id);
        assert!(e.source.starts_with("https://"), "{} cites its source", e.id);
        assert!(!e.cause.trim().is_empty(), "{} names a cause", e.id);
        let text = format!("{} {}", e.cause, e.fix.join(" "));
        assert!(!text.contains('`') && !text.contains(" --"), "{}: no command-line syntax in the knowledge base", e.id);
        if let Some(p) = &e.provider {
            assert!(provider(p).is_some(), "{}: its provider is defined", e.id);
        }
    }
}

/// The problem an entry's example carries, as a diagnosis would read it.
pub(crate) fn example_problem(e: &Entry) -> Option<Problem> {
    let headers: Vec<(String, String)> = e.example.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let from_location = e.example.headers.get("location").and_then(|l| {
        let l = l.replace("{redirect_uri}", "http://127.0.0.1:1/callback").replace("{state}", "s");
        paste::read(&l).problem()
    });
    let from_body = answer::from_response(&headers, e.example.body.as_bytes());
    match (from_body, from_location) {
        (Some(b), Some(l)) => Some(l.merge(b)),
        (b, l) => b.or(l),
    }
}

#[test]
fn every_entry_explains_its_own_example() {
    let mut wrong = Vec::new();
    for e in entries() {
        let Some(problem) = example_problem(e) else {
            wrong.push(format!("{}: its example holds no error", e.id));
            continue;
        };
        let stage = e.stages.as_ref().and_then(|s| s.first().copied());
        let q = Query { provider: e.provider.as_deref(), stage, grant: None, status: Some(e.example.status), problem: &problem };
        // No other entry explains it as well: a tie would make the answer depend on file order.
        let best = score(e, &q);
        if let Some(tie) = entries().iter().find(|o| o.id != e.id && best.is_some() && score(o, &q) == best) {
            wrong.push(format!("{}: its example is explained as well by {}", e.id, tie.id));
        }
        match lookup(&q) {
            Some(found) if found.id == e.id => {}
            Some(found) => wrong.push(format!("{}: its example is explained by {}", e.id, found.id)),
            None => wrong.push(format!("{}: its example matches nothing ({problem:?})", e.id)),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn another_providers_entry_never_matches() {
    for e in entries().iter().filter(|e| e.provider.is_some()) {
        let Some(problem) = example_problem(e) else { continue };
        for other in providers().iter().filter(|p| Some(&p.id) != e.provider.as_ref()) {
            let q = Query { provider: Some(&other.id), stage: None, grant: None, status: Some(e.example.status), problem: &problem };
            if let Some(found) = lookup(&q) {
                assert!(
                    found.provider.is_none() || found.provider.as_deref() == Some(other.id.as_str()),
                    "{} under {} found {}",
                    e.id,
                    other.id,
                    found.id
                );
            }
        }
        // Without a provider, only generic entries apply.
        let q = Query { provider: None, stage: None, grant: None, status: Some(e.example.status), problem: &problem };
        assert!(lookup(&q).is_none_or(|f| f.provider.is_none()), "{}", e.id);
    }
}

#[test]
fn a_providers_entry_beats_the_generic_one() {
    let problem = Problem::oauth("invalid_grant", Some("no client credentials user enabled"));
    let sf = lookup(&Query { provider: Some("salesforce"), stage: Some(Stage::Token), grant: None, status: Some(400), problem: &problem });
    assert_eq!(sf.map(|e| e.id.as_str()), Some("salesforce-no-run-as-user"));
    let generic =
        lookup(&Query { provider: Some("keycloak"), stage: Some(Stage::Token), grant: None, status: Some(400), problem: &problem });
    assert!(generic.is_some_and(|e| e.provider.is_none()));
}

#[test]
fn a_status_other_than_the_entrys_still_finds_the_providers_entry() {
    // Keycloak has answered a wrong secret with 401 and with 400 across versions.
    let problem = Problem::oauth("unauthorized_client", Some("Invalid client or Invalid client credentials"));
    for status in [Some(400), Some(401), None] {
        let found = lookup(&Query { provider: Some("keycloak"), stage: Some(Stage::Token), grant: None, status, problem: &problem });
        assert_eq!(found.map(|e| e.id.as_str()), Some("keycloak-bad-secret"), "{status:?}");
    }
    // Where two entries differ by status alone, the status decides.
    let basic = Problem::oauth("invalid_client", None);
    let at = |status| {
        lookup(&Query { provider: None, stage: Some(Stage::Token), grant: None, status: Some(status), problem: &basic })
            .map(|e| e.id.clone())
    };
    assert_eq!(at(401).as_deref(), Some("rfc6749-invalid-client-basic"));
    assert_eq!(at(400).as_deref(), Some("rfc6749-invalid-client"));
}

/// A provider on its own domain (an Okta or Auth0 custom domain, Keycloak anywhere, a
/// gateway in front of Entra): with nothing in the URL to go by, each provider's documented
/// answers, with the headers its servers send, are recognised from the answer itself and
/// explained by the same entry.
#[test]
fn every_providers_answers_are_recognised_on_its_own_domain() {
    let mut wrong = Vec::new();
    for e in entries().iter().filter(|e| e.provider.is_some()) {
        let Some(problem) = example_problem(e) else { continue };
        let own = e.provider.as_deref().and_then(provider).map(|p| p.headers.clone()).unwrap_or_default();
        let mut headers: Vec<(String, String)> = e.example.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        headers.extend(own.into_iter().map(|h| (h, "1".to_string())));
        let by = recognise::from_answer(&headers, &e.example.body, Some(&problem));
        if anonymous(e) {
            // Nothing of the provider to go by: a generic entry or the reading of the words
            // explains it, as it would any provider's.
            let q = Query { provider: None, stage: None, grant: None, status: Some(e.example.status), problem: &problem };
            assert!(lookup(&q).is_some() || phrases::read(&problem).is_some(), "{}: nothing explains it", e.id);
            continue;
        }
        if by.map(|p| &p.id) != e.provider.as_ref() {
            wrong.push(format!("{}: recognised as {:?}", e.id, by.map(|p| &p.id)));
            continue;
        }
        let stage = e.stages.as_ref().and_then(|s| s.first().copied());
        let q = Query { provider: by.map(|p| p.id.as_str()), stage, grant: None, status: Some(e.example.status), problem: &problem };
        if lookup(&q).map(|f| &f.id) != Some(&e.id) {
            wrong.push(format!("{}: explained by {:?}", e.id, lookup(&q).map(|f| &f.id)));
        }
    }
    assert!(wrong.is_empty(), "{} not recognised:\n{}", wrong.len(), wrong.join("\n"));
}

/// An entry that names its grants explains its answer under those grants and under no
/// other: a device-flow answer never explains a client-credentials refusal, a JWT bearer
/// entry never a code exchange, a code exchange's entry never a client-credentials request.
#[test]
fn an_entry_matches_only_under_its_grants() {
    let all = [Flow::ClientCredentials, Flow::AuthorizationCode, Flow::JwtBearer, Flow::DeviceCode, Flow::Password];
    let mut checked = 0;
    for e in entries() {
        let Some(grants) = &e.grants else { continue };
        let Some(problem) = example_problem(e) else { continue };
        let stage = e.stages.as_ref().and_then(|s| s.first().copied());
        for grant in all {
            let q = Query { provider: e.provider.as_deref(), stage, grant: Some(grant), status: Some(e.example.status), problem: &problem };
            let found = lookup(&q).map(|f| f.id.as_str());
            if grants.contains(&grant) {
                assert_eq!(found, Some(e.id.as_str()), "{} under {grant:?}", e.id);
            } else {
                assert_ne!(found, Some(e.id.as_str()), "{} explains a {grant:?} answer", e.id);
                assert!(lookup(&q).is_none_or(|f| f.grants.as_ref().is_none_or(|g| g.contains(&grant))), "{} under {grant:?}", e.id);
            }
        }
        checked += 1;
    }
    assert!(checked >= 60, "{checked} entries name their grants");
}

/// The words every server writes (RFC 6749's own descriptions of its codes, and the short
/// phrasings common servers answer with) name no provider: a generic server's refusal is
/// never explained by one provider's entry.
#[test]
fn generic_words_name_no_provider() {
    let generic = [
        ("invalid_client", "client authentication failed"),
        ("invalid_client", "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method)."),
        ("invalid_grant", "grant request is invalid"),
        ("invalid_grant", "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."),
        ("invalid_request", "The request is missing a required parameter, includes an unsupported parameter value (other than grant type), repeats a parameter, includes multiple credentials, utilizes more than one mechanism for authenticating the client, or is otherwise malformed."),
        ("unauthorized_client", "The authenticated client is not authorized to use this authorization grant type."),
        ("unsupported_grant_type", "The authorization grant type is not supported by the authorization server."),
        ("invalid_scope", "The requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner."),
        ("invalid_client", "Unauthorized"),
        ("invalid_request", "Bad Request"),
        ("invalid_token", "invalid token provided"),
    ];
    for (code, words) in generic {
        let problem = answer::Problem::oauth(code, Some(words));
        let body = serde_json::json!({ "error": code, "error_description": words }).to_string();
        let by = recognise::from_answer(&[], &body, Some(&problem));
        assert!(by.is_none(), "{code}: {words:?} named {:?}", by.map(|p| &p.id));
    }
}

/// A provider's short message inside another API's longer one names no provider; as the
/// whole of an answer's words it still does.
#[test]
fn a_short_message_inside_a_longer_one_names_no_provider() {
    let typeform = super::Problem::oauth("AUTHENTICATION_FAILED", Some("Authentication credentials not found on the Request Headers"));
    assert_eq!(super::provider_by_words(&typeform).map(|p| p.id.as_str()), None);
    let keycloak = super::Problem::oauth("invalid_grant", Some("Token is not active"));
    assert_eq!(super::provider_by_words(&keycloak).map(|p| p.id.as_str()), Some("keycloak"));
}
