//! The core's layers point one way (the rule is in `src/lib.rs`'s module doc): every
//! top-level module uses only modules of its own layer or a lower one. This test reads the
//! sources, so a use that points up fails `cargo test`, not a review.
// A test crate: a panic is a failed test, as it should be; it reads its own sources.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::string_slice)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Lowest first; modules on one line are one layer.
const LAYERS: &[&[&str]] = &[
    &["model"],
    &["error"],
    &["secret"],
    &["pki", "knowledge"],
    &["providers"],
    &["template", "validate"],
    &["profile", "transfer"],
    &["flows"],
    &["store"],
    &["desk"],
    &["diagnose"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a source text names as `crate::x` or in `crate::{x, y::z}`.
fn used_modules(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let ident = |s: &str| s.trim().split("::").next().unwrap_or("").trim().to_string();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            used.extend(group[..end].split(',').map(ident).filter(|s| !s.is_empty()));
        } else {
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            used.insert(name);
        }
    }
    used
}

#[test]
fn every_module_uses_only_its_layer_or_lower_ones() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_string();
        if top == "lib" {
            continue; // the crate root declares and re-exports every module
        }
        let own = layer(&top).unwrap_or_else(|| panic!("src/{} is in no layer: add it to LAYERS and to lib.rs's picture", rel.display()));
        let text = std::fs::read_to_string(file).unwrap();
        for used in used_modules(&text) {
            match layer(&used) {
                Some(l) if l > own => wrong.push(format!("src/{} ({top}) uses {used}, a higher layer", rel.display())),
                _ => {}
            }
        }
    }
    assert!(wrong.is_empty(), "layers pointing up:\n{}", wrong.join("\n"));
}

#[test]
fn the_reader_sees_plain_and_grouped_uses() {
    let used = used_modules("use crate::error::Result;\nuse crate::{flows::http, model};\nlet x = crate::store::get();");
    assert_eq!(used.into_iter().collect::<Vec<_>>(), ["error", "flows", "model", "store"]);
}
