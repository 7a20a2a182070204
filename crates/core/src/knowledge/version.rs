//! The knowledge base's version: a digest of its files as this program holds them, so a case
//! file says which knowledge explained it, and a changed file (an entry added, a cause
//! reworded) is a new version without anyone remembering to bump a number.

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

use super::files::FILES;

/// The files outside [`FILES`] that decide a diagnosis's words: the findings and the phrases.
const OTHERS: &[(&str, &str)] =
    &[("findings.json", include_str!("../../knowledge/findings.json")), ("phrases.json", include_str!("../../knowledge/phrases.json"))];

/// Every knowledge file, by name and content.
fn all() -> Vec<(&'static str, &'static str)> {
    FILES.iter().chain(OTHERS).copied().collect()
}

/// `kb-` and the first 16 hex digits of the digest of every knowledge file.
pub fn version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| of(&all()));
    &VERSION
}

/// The version of these files: each name and content, length-prefixed so no two sets of
/// files spell the same input.
pub fn of(files: &[(&str, &str)]) -> String {
    let mut h = Sha256::new();
    for (name, text) in files {
        for part in [name.as_bytes(), text.as_bytes()] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
    }
    let digest = h.finalize();
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("kb-{hex}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    /// Any change to any file, its name, or which files there are, is a new version; the
    /// same files are the same version.
    #[test]
    fn every_change_to_a_file_changes_the_version() {
        let every = all();
        let base = of(&every);
        assert_eq!(base, version());
        assert_eq!(base, of(&all()), "the same files, the same version");
        for i in 0..every.len() {
            let (name, text) = every[i];
            let edits =
                [format!("{text} "), text.replacen('a', "b", 1), text.get(..text.len().saturating_sub(1)).unwrap_or_default().to_string()];
            for edited in &edits {
                let mut files = every.clone();
                files[i] = (name, edited.as_str());
                assert_ne!(of(&files), base, "{name} edited");
            }
            let renamed = format!("{name}.old");
            let mut files = every.clone();
            files[i] = (renamed.as_str(), text);
            assert_ne!(of(&files), base, "{name} renamed");
            let mut files = every.clone();
            files.remove(i);
            assert_ne!(of(&files), base, "{name} removed");
        }
    }
}
