//! `exec`'s words: profiles with their names, `--for`, the command after `--`; every odd
//! name (generated) refused naming --as, and no two profiles on one variable.

use super::{plan, DEFAULT_NAME};

fn words(s: &[&str]) -> Vec<String> {
    s.iter().map(|w| w.to_string()).collect()
}

#[test]
fn profiles_names_and_the_command_are_read() {
    let p = plan(&words(&["a", "--as", "A_TOKEN", "b", "--for", "https://api.example.com/x", "--", "env", "--as", "x"])).unwrap();
    assert_eq!(p.profiles, vec![("a".into(), "A_TOKEN".into()), ("b".into(), DEFAULT_NAME.into())]);
    assert_eq!(p.to.unwrap().as_str(), "https://api.example.com/x");
    assert_eq!(p.command, words(&["env", "--as", "x"]), "what follows `--` is the command's, untouched");
    let p = plan(&words(&["a", "--as=A", "b", "--as=B", "--", "true"])).unwrap();
    assert_eq!(p.profiles, vec![("a".into(), "A".into()), ("b".into(), "B".into())]);
}

#[test]
fn malformed_words_are_refused_with_what_to_do() {
    for (w, says) in [
        (vec!["a", "true"], "`--`"),
        (vec!["a", "--"], "no command"),
        (vec!["--", "true"], "at least one profile"),
        (vec!["--as", "X", "a", "--", "true"], "follows the profile"),
        (vec!["a", "--as", "X", "--as", "Y", "--", "true"], "two names"),
        (vec!["a", "--for", "x", "--", "true"], "not a URL"),
        (vec!["a", "--for", "https://a/", "--for", "https://b/", "--", "true"], "twice"),
        (vec!["a", "--force", "--", "true"], "unknown option"),
        (vec!["a", "b", "--", "true"], "--as NAME"),
        (vec!["a", "--as", "T", "b", "--as", "T_TYPE", "--", "true"], "T_TYPE"),
    ] {
        let e = plan(&words(&w)).expect_err(&format!("{w:?}"));
        assert!(e.to_string().contains(says), "{w:?}: {e}");
    }
}

/// Generated names: letters, digits and `_` (not first) are taken; any other character, a
/// leading digit, an empty or overlong name is refused, and the message names --as.
#[test]
fn every_odd_variable_name_is_refused_naming_as() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    const GOOD: &[char] = &['A', 'z', '_', '0', '9', 'Q'];
    const ODD: &[char] = &['-', '.', ' ', '=', '$', 'é', '/', '\'', '"', '\t', '😀', ':'];
    for _ in 0..300 {
        let len = 1 + (next() % 20) as usize;
        let mut name: String = (0..len).map(|_| GOOD[(next() % GOOD.len() as u64) as usize]).collect();
        let good_first = !name.starts_with(|c: char| c.is_ascii_digit());
        match plan(&words(&["a", "--as", &name, "--", "true"])) {
            Ok(p) => assert!(good_first && p.profiles[0].1 == name, "{name}"),
            Err(e) => assert!(!good_first && e.to_string().contains("--as"), "{name}: {e}"),
        }
        let at = (next() % (name.chars().count() as u64 + 1)) as usize;
        let odd = ODD[(next() % ODD.len() as u64) as usize];
        name = name.chars().take(at).chain([odd]).chain(name.chars().skip(at)).collect();
        let e = plan(&words(&["a", "--as", &name, "--", "true"])).expect_err(&name);
        assert!(e.to_string().contains("--as") && e.to_string().contains("is not a variable name"), "{name}: {e}");
    }
    for name in ["", &"A".repeat(129)] {
        let e = plan(&words(&["a", "--as", name, "--", "true"])).expect_err(name);
        assert!(e.to_string().contains("--as"), "{e}");
    }
    // Many profiles, each with its own generated name: all taken.
    let many: Vec<String> = (0..50).flat_map(|i| [format!("p{i}"), "--as".into(), format!("V{i}_{}", next() % 1000)]).collect();
    let mut all = many.clone();
    all.extend(words(&["--", "true"]));
    assert_eq!(plan(&all).unwrap().profiles.len(), 50);
}
