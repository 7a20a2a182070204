//! No diagnosis module words a finding itself: a failure is stated by a finding entry
//! ([`crate::knowledge::findings`]), or in a knowledge-base entry's own words; every finding
//! the modules name is in the file, and every finding in the file is named.

use std::collections::BTreeSet;
use std::path::Path;

use crate::knowledge::findings;

/// The diagnosis modules' sources, without their tests.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                walk(&path, out);
            } else if name.ends_with(".rs") && !name.ends_with("tests.rs") {
                out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/diagnose"), &mut out);
    out
}

/// The text of each call of `call` in `source`: from its opening to its closing parenthesis.
fn calls<'a>(source: &'a str, call: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    for (at, _) in source.match_indices(call) {
        let args = source.get(at + call.len()..).unwrap_or_default();
        let mut depth = 1;
        let end = args
            .char_indices()
            .find(|(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map_or(args.len(), |(i, _)| i);
        out.push(args.get(..end).unwrap_or(args));
    }
    out
}

#[test]
fn no_diagnosis_module_words_a_finding_itself() {
    let mut wrong = Vec::new();
    let mut named = BTreeSet::new();
    for (path, source) in sources() {
        // A failure is stated by a finding entry, or in a knowledge entry's own words.
        for args in calls(&source, "Outcome::fail(") {
            if args.contains('"') {
                wrong.push(format!("{path}: Outcome::fail({args})"));
            }
        }
        if source.contains("ok: false") && !path.ends_with("diagnose/mod.rs") {
            wrong.push(format!("{path}: builds a failing Outcome by hand"));
        }
        // Every finding a module names is in the file.
        // A finding is named by its id, or, one recognised from an error's words, by its group.
        for f in findings::all() {
            let name = f.group.as_ref().map_or(&f.id, |g| g);
            if source.contains(&format!("\"{name}\"")) {
                named.insert(f.id.clone());
            }
        }
        for args in calls(&source, "Outcome::found(") {
            let id = args.trim_start().strip_prefix('"').and_then(|a| a.split('"').next());
            if let Some(id) = id.filter(|id| findings::finding(id).is_none()) {
                wrong.push(format!("{path}: names the finding {id}, which the file lacks"));
            }
        }
    }
    // A provider names the findings that replace the generic ones for its templates.
    for provider in crate::providers::ProviderId::ALL {
        let hints = provider.rules().hints();
        for id in [hints.token_url, hints.redirect, hints.forbidden].into_iter().flatten() {
            match findings::finding(id) {
                Some(_) => _ = named.insert(id.to_string()),
                None => wrong.push(format!("{provider:?}'s hints name the finding {id}, which the file lacks")),
            }
        }
    }
    for f in findings::all() {
        if !named.contains(&f.id) {
            wrong.push(format!("{}: no diagnosis module names it", f.id));
        }
    }
    for s in findings::steps() {
        if !sources().iter().any(|(_, source)| source.contains(&format!("\"{}\"", s.id))) {
            wrong.push(format!("step {}: no diagnosis module names it", s.id));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
