//! The findings as a whole: the file parses, every finding is complete, each fills every place
//! its texts name from its example's facts, and each recognised one is recognised from its
//! own example's words.

use super::*;

/// The `{name}` places a text names.
fn places(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = rest.get(open + 1..).unwrap_or_default();
        match after.find('}') {
            Some(close) => {
                out.push(after.get(..close).unwrap_or_default().to_string());
                rest = after.get(close + 1..).unwrap_or_default();
            }
            None => break,
        }
    }
    out
}

fn texts(f: &Finding) -> Vec<&str> {
    let mut t = vec![f.finding.as_str(), f.cause.as_str()];
    t.extend(f.fix.iter().map(String::as_str));
    t
}

fn facts(example: &FindingExample) -> Vec<(&str, &str)> {
    example.facts.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[test]
fn the_file_parses_and_every_finding_is_complete() {
    assert_eq!(broken(), None);
    assert!(all().len() >= 40, "the findings are in the file");
    let mut ids: Vec<&str> = all().iter().map(|f| f.id.as_str()).chain(steps().iter().map(|s| s.id.as_str())).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "finding and step ids are unique");
    for f in all() {
        assert!(crate::knowledge::entry(&f.id).is_none(), "{}: a provider entry has that id too", f.id);
        assert!(!f.stages.is_empty(), "{} names its stages", f.id);
        assert!(!f.finding.trim().is_empty() && !f.cause.trim().is_empty(), "{} says what was found and why", f.id);
        assert!(!f.fix.is_empty() && f.fix.iter().all(|s| !s.trim().is_empty()), "{} says how to fix it", f.id);
        assert!(f.source.starts_with("https://"), "{} cites its source", f.id);
        let all_text = texts(f).join(" ");
        assert!(!all_text.contains('`') && !all_text.contains(" --"), "{}: no command-line syntax in a finding", f.id);
        assert_eq!(f.detail.is_some(), f.detail.is_some() && f.group.is_some(), "{}: words to recognise need a group", f.id);
    }
}

#[test]
fn every_place_is_filled_from_the_examples_facts() {
    let mut wrong = Vec::new();
    for f in all() {
        let known = facts(&f.example);
        for text in texts(f) {
            for place in places(text) {
                if !known.iter().any(|(k, _)| *k == place) {
                    wrong.push(format!("{}: {{{place}}} has no fact in its example", f.id));
                }
            }
        }
        let filled = f.with(&known);
        for text in [&filled.finding, &filled.cause].into_iter().chain(&filled.fix) {
            if !places(text).is_empty() {
                wrong.push(format!("{}: left unfilled: {text}", f.id));
            }
        }
        if filled.id != f.id || filled.source != f.source {
            wrong.push(format!("{}: filled, it names another entry or source", f.id));
        }
    }
    for s in steps() {
        let known = facts(&s.example);
        if !places(&step(&s.id, &known)).is_empty() {
            wrong.push(format!("step {}: left unfilled", s.id));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_recognised_finding_is_recognised_from_its_own_example() {
    let mut wrong = Vec::new();
    for f in all() {
        let Some(group) = &f.group else { continue };
        let detail = f.example.facts.get("detail").map(String::as_str);
        let Some(detail) = detail else {
            wrong.push(format!("{}: its example has no error words (detail)", f.id));
            continue;
        };
        match recognise(group, detail) {
            Some(found) if found.id == f.id => {}
            Some(found) => wrong.push(format!("{}: its example is recognised as {}", f.id, found.id)),
            None => wrong.push(format!("{}: its example is recognised as nothing", f.id)),
        }
        // A finding of another group never takes it.
        for other in all().iter().filter(|o| o.group.as_ref().is_some_and(|g| g != group)) {
            if recognise(other.group.as_deref().unwrap_or_default(), detail).is_some_and(|o| o.id == other.id && o.detail.is_some()) {
                wrong.push(format!("{}: its example is also {} of group {:?}", f.id, other.id, other.group));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_fact_is_put_in_once_and_never_read_as_a_place() {
    assert_eq!(fill("{a} and {b}", &[("a", "{b}"), ("b", "x")]), "{b} and x");
    assert_eq!(fill("no {place} here {", &[]), "no {place} here {");
    assert_eq!(fill("é{a}é", &[("a", "ü")]), "éüé");
    let unknown = found("no-such-finding", &[("host", "h")]);
    assert!(unknown.fix.is_empty() && unknown.finding.contains("host: h"));
}
