//! Discovery's suggested fields, for every template, every client authentication and every
//! field of the metadata: what the form is given is exactly what `discover --apply` saves.

use std::collections::BTreeSet;

use super::test_support::{desk, profile, serve};
use crate::flows::config::ClientAuth;
use crate::model::Fields;
use crate::template;

/// The metadata's endpoints (each its own URL, so a test sees which went where) and the
/// field each fills, plain and as its mutual-TLS alias.
const ENDPOINTS: [(&str, &str, bool); 6] = [
    ("authorization_endpoint", "authorize_url", false),
    ("token_endpoint", "token_url", true),
    ("revocation_endpoint", "revoke_url", true),
    ("introspection_endpoint", "introspect_url", true),
    ("device_authorization_endpoint", "device_authorization_url", true),
    ("userinfo_endpoint", "test_url", false),
];

fn metadata(base: &str) -> String {
    let mut doc = serde_json::json!({ "issuer": base });
    let mut aliases = serde_json::Map::new();
    for (name, _, aliased) in ENDPOINTS {
        doc[name] = format!("{base}/{name}").into();
        if aliased {
            aliases.insert(name.into(), format!("{base}/mtls/{name}").into());
        }
    }
    doc["mtls_endpoint_aliases"] = aliases.into();
    doc.to_string()
}

#[tokio::test]
async fn the_suggested_fields_are_what_apply_saves_for_every_template_and_client_authentication() {
    let base = serve(metadata).await;
    let (_dir, desk) = desk();
    let mut filled = BTreeSet::new();
    let mut n = 0;
    for t in template::all() {
        let methods: Vec<Option<&str>> = match t.field("client_auth") {
            Some(_) => ClientAuth::NAMES.iter().map(|(name, _)| Some(*name)).collect(),
            None => vec![None],
        };
        for method in methods {
            for with_test_url in [false, true] {
                n += 1;
                let handle = format!("p{n}");
                let mut extra = Fields::new();
                if let Some(m) = method {
                    extra.insert("client_auth".into(), m.into());
                }
                if with_test_url {
                    extra.insert("test_url".into(), format!("{base}/mine"));
                }
                let p = desk.create(profile(t, &handle, &base, &extra)).unwrap();
                let case = format!("{} client_auth={method:?} test_url={with_test_url}", t.id);
                let suggestion = desk
                    .discover_suggestion(&base, Some(&handle), &t.id, &p.fields, p.client_secret == crate::model::SecretState::NotSet)
                    .await
                    .unwrap();
                desk.discover(&base, Some(&handle), true).await.unwrap();
                let saved = desk.get(&handle).unwrap().fields;
                let mut expected = p.fields.clone();
                expected.extend(suggestion.fields.clone());
                assert_eq!(saved, expected, "{case}: --apply saves the suggested fields and nothing else");
                // Each endpoint the template has a field for is suggested, as its alias for a
                // client that authenticates with mutual TLS; the test URL only when unset.
                let tls = method.is_some_and(|m| m.contains("tls_client_auth"));
                for (name, field, aliased) in ENDPOINTS {
                    let want = match (t.field(field), field, with_test_url) {
                        (None, _, _) | (_, "test_url", true) => None,
                        _ if aliased && tls => Some(format!("{base}/mtls/{name}")),
                        _ => Some(format!("{base}/{name}")),
                    };
                    assert_eq!(suggestion.fields.get(field), want.as_ref(), "{case}: {field} from {name}");
                    if let Some(v) = want {
                        filled.insert(v);
                    }
                }
            }
        }
    }
    // Every field of the metadata, and every alias, fills some template's profile.
    assert_eq!(filled.len(), ENDPOINTS.len() + ENDPOINTS.iter().filter(|e| e.2).count(), "{filled:?}");
}
