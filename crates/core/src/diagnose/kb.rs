//! The knowledge base of OAuth error answers (`knowledge/oauth-errors.json`): data, so support
//! staff can add what they learn without touching the engine.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What an error answer means and how to fix it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[ts(export)]
pub struct Entry {
    pub id: String,
    pub provider: Option<String>,
    /// The OAuth `error` it matches, if any.
    pub error: Option<String>,
    /// Text the `error_description` contains (any case), if any.
    pub description: Option<String>,
    pub cause: String,
    pub fix: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    entries: Vec<Entry>,
}

pub const SOURCE: &str = include_str!("../../knowledge/oauth-errors.json");

/// Every entry, parsed once.
pub fn entries() -> &'static [Entry] {
    static KB: OnceLock<Vec<Entry>> = OnceLock::new();
    KB.get_or_init(|| serde_json::from_str::<File>(SOURCE).map(|f| f.entries).unwrap_or_default())
}

/// The most specific entry for an answer: a description match counts more than an `error`
/// match, and an entry must match everything it names.
pub fn lookup(error: &str, description: Option<&str>) -> Option<&'static Entry> {
    let desc = description.unwrap_or_default().to_ascii_lowercase();
    entries()
        .iter()
        .filter_map(|e| {
            let mut score = 0;
            match &e.error {
                Some(code) if code.eq_ignore_ascii_case(error) => score += 1,
                Some(_) => return None,
                None => {}
            }
            match &e.description {
                Some(d) if desc.contains(&d.to_ascii_lowercase()) => score += 2,
                Some(_) => return None,
                None => {}
            }
            (score > 0).then_some((score, e))
        })
        .max_by_key(|(score, _)| *score)
        .map(|(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_parses_and_ids_are_unique() {
        let all = entries();
        assert!(all.len() >= 20);
        let mut ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all.len());
        assert!(all.iter().all(|e| e.error.is_some() || e.description.is_some()), "every entry matches something");
        assert!(all.iter().all(|e| !e.fix.is_empty()), "every entry says how to fix it");
    }

    #[test]
    fn the_most_specific_entry_wins() {
        assert_eq!(lookup("invalid_grant", Some("no client credentials user enabled")).unwrap().id, "salesforce-no-run-as-user");
        assert_eq!(lookup("invalid_grant", Some("something else")).unwrap().id, "rfc6749-invalid-grant");
        assert_eq!(lookup("invalid_client", Some("AADSTS7000215: Invalid client secret provided.")).unwrap().id, "entra-bad-secret");
        assert_eq!(lookup("INVALID_SCOPE", None).unwrap().id, "rfc6749-invalid-scope");
        assert!(lookup("made_up", Some("nothing known")).is_none());
    }
}
