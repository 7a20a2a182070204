//! Reading the provider's words: when no entry of the knowledge base explains an answer, what
//! the answer says in words (`error_description`, `message`, `detail`, a provider's own code)
//! most often names the cause anyway ("invalid client secret", "grant type must be …"). The
//! cause classes and the phrases that name them are data (`knowledge/phrases.json`), written
//! from many providers' documentation, so the long tail of providers without a file of their
//! own is read as well as the ones with one.
//!
//! A phrase is a lower-case word sequence; ` ... ` inside it stands for any words between its
//! parts ("grant type ... not allowed" reads "Grant type 'x' not allowed"). Text is compared
//! word by word (punctuation and `_` are spaces), so "client_secret" is read as "client secret"
//! and "secret" never matches inside "secretary". Of the classes whose phrases occur, the one
//! with the longest phrase (in words) wins: the more words a phrase holds, the more specific it
//! is ("invalid signature algorithm" over "invalid signature").

use std::sync::OnceLock;

use serde::Deserialize;

use super::answer::Problem;

/// A cause class: the words that name it, and what it means.
#[derive(Debug, Clone, Deserialize)]
pub struct Class {
    pub id: String,
    pub phrases: Vec<String>,
    /// Standard codes whose generic entry already says what this class says: with one of
    /// them, the generic entry (written from the RFC, with its own steps) explains the answer.
    #[serde(default)]
    pub same_as: Vec<String>,
    /// The cause; `{words}` is replaced by the words read.
    pub cause: String,
    pub fix: Vec<String>,
    pub source: String,
    /// Descriptions from providers' documentation this class must read as its own.
    #[cfg_attr(not(any(test, feature = "test-support")), allow(dead_code, reason = "read by the tests"))]
    pub examples: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    classes: Vec<Class>,
}

struct Classes {
    all: Vec<Class>,
    /// Why the file did not parse (a test asserts it did).
    #[cfg_attr(not(any(test, feature = "test-support")), allow(dead_code, reason = "read by the tests"))]
    broken: Option<String>,
}

fn load() -> &'static Classes {
    static CLASSES: OnceLock<Classes> = OnceLock::new();
    CLASSES.get_or_init(|| match serde_json::from_str::<File>(include_str!("../../knowledge/phrases.json")) {
        Ok(f) => Classes { all: f.classes, broken: None },
        Err(e) => Classes { all: Vec::new(), broken: Some(format!("phrases.json: {e}")) },
    })
}

/// Every cause class.
pub fn classes() -> &'static [Class] {
    &load().all
}

/// Why the phrases file did not parse, if it did not.
#[cfg(any(test, feature = "test-support"))]
pub fn broken() -> Option<&'static str> {
    load().broken.as_deref()
}

/// A class by id.
pub fn class(id: &str) -> Option<&'static Class> {
    classes().iter().find(|c| c.id == id)
}

/// The most words of an answer read: a description longer than this says no more.
const MAX_WORDS: usize = 2000;

/// Text as the words it holds, lower-cased, each followed by one space and the whole led by
/// one, so a phrase matches whole words only.
fn words(text: &str) -> String {
    let mut out = String::from(" ");
    for w in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).take(MAX_WORDS) {
        out.push_str(&w.to_lowercase());
        out.push(' ');
    }
    out
}

/// A phrase as it is compared: its parts as [`words`] gives them, and its word count.
struct Compiled {
    parts: Vec<String>,
    count: usize,
}

impl Compiled {
    fn new(phrase: &str) -> Self {
        let parts: Vec<String> = phrase.split("...").map(words).filter(|p| !p.trim().is_empty()).collect();
        let count = parts.iter().map(|p| p.split_whitespace().count()).sum();
        Compiled { parts, count }
    }

    /// How specific the phrase is (its word count) if `text` (as [`words`]) holds it.
    fn found_in(&self, text: &str) -> Option<usize> {
        let mut at = 0;
        for part in &self.parts {
            let found = text.get(at..)?.find(part.as_str())?;
            // The next part starts after this one's words (sharing its trailing space).
            at += found + part.len() - 1;
        }
        (self.count > 0).then_some(self.count)
    }
}

/// Every class's phrases, compiled once, in the file's order.
fn compiled() -> &'static [(&'static Class, Vec<Compiled>)] {
    static COMPILED: OnceLock<Vec<(&'static Class, Vec<Compiled>)>> = OnceLock::new();
    COMPILED.get_or_init(|| classes().iter().map(|c| (c, c.phrases.iter().map(|p| Compiled::new(p)).collect())).collect())
}

fn best_in(phrases: &[Compiled], words: &str) -> Option<usize> {
    phrases.iter().filter_map(|p| p.found_in(words)).max()
}

/// How specifically `class` names `text` (its longest phrase found, in words).
#[cfg(test)]
pub fn specificity(class: &Class, text: &str) -> Option<usize> {
    let text = words(text);
    let phrases: Vec<Compiled> = class.phrases.iter().map(|p| Compiled::new(p)).collect();
    best_in(&phrases, &text)
}

/// The class `text` names, of those that name it the one with the most specific phrase; of
/// equals, the first in the file.
pub fn class_of(text: &str) -> Option<&'static Class> {
    let text = words(text);
    let mut best: Option<(usize, &'static Class)> = None;
    for (c, phrases) in compiled() {
        if let Some(s) = best_in(phrases, &text) {
            if best.is_none_or(|(b, _)| s > b) {
                best = Some((s, *c));
            }
        }
    }
    best.map(|(_, c)| c)
}

/// The words of an answer a reading looks at: its description, and every code no generic
/// entry knows (a provider's own code, such as `INVALID_CLIENT_SECRET`, says as much as a
/// description; a standard code such as `invalid_grant` is the generic entries' to explain).
pub fn text_of(problem: &Problem) -> String {
    let generic: Vec<&str> = super::entries().iter().filter(|e| e.provider.is_none()).filter_map(|e| e.error.as_deref()).collect();
    let mut text = problem.description.clone().unwrap_or_default();
    for code in problem.codes.iter().filter(|c| !generic.iter().any(|g| g.eq_ignore_ascii_case(c))) {
        text.push_str(" . ");
        text.push_str(code);
    }
    text
}

/// What the provider's words say: the class they name, and the words quoted.
#[derive(Debug, Clone)]
pub struct Reading {
    pub class: &'static Class,
    /// The cause, quoting the provider's words.
    pub cause: String,
}

/// The most characters of the provider's words a cause quotes.
const MAX_QUOTE: usize = 200;

/// The words as a cause quotes them: trimmed, and cut (marked by `…`) when long.
pub fn quote(words: &str) -> String {
    let words = words.trim();
    match words.char_indices().nth(MAX_QUOTE) {
        Some((at, _)) => format!("{}…", words.get(..at).unwrap_or(words)),
        None => words.to_string(),
    }
}

/// Reads an answer's words into a cause class, if they name one.
pub fn read(problem: &Problem) -> Option<Reading> {
    let text = text_of(problem);
    let class = class_of(&text)?;
    let quoted = problem.description.as_deref().filter(|d| !d.trim().is_empty()).or(problem.code()).unwrap_or_default();
    let quoted = quote(quoted);
    Some(Reading { class, cause: class.cause.replace("{words}", &quoted) })
}

#[cfg(test)]
#[path = "phrases_tests.rs"]
mod tests;
