//! The core's layers point one way (the rule is in `src/lib.rs`'s module doc): every
//! top-level module uses only modules of its own layer or a lower one. This test reads the
//! sources as Rust (with `syn`), so a use that points up fails `cargo test`, not a review:
//! whether it names the module (`crate::desk::Desk`), a name the crate root re-exports
//! (`crate::Desk`), or climbs there with `super::`.
// A test crate: a panic is a failed test, as it should be; it reads its own sources.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::string_slice, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use syn::visit::Visit;

/// The layers, lowest first, read from the picture in `src/lib.rs`'s module doc: the picture
/// is the rule, so the two cannot drift. Each line of the ```text block names one layer's
/// modules (comma-separated, a trailing `/` for a folder) before its description; a line that
/// starts with spaces continues the layer above it. The picture lists the highest layer first.
fn layers() -> Vec<Vec<String>> {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    parse_picture(&lib)
}

fn parse_picture(lib: &str) -> Vec<Vec<String>> {
    let doc: Vec<&str> = lib.lines().filter_map(|l| l.strip_prefix("//!")).map(|l| l.strip_prefix(' ').unwrap_or(l)).collect();
    let start = doc.iter().position(|l| l.trim() == "```text").expect("lib.rs's doc has a ```text picture of the layers");
    let mut layers: Vec<Vec<String>> = Vec::new();
    for line in doc[start + 1..].iter().take_while(|l| l.trim() != "```") {
        let names = line.trim_start().split("  ").next().unwrap_or("");
        let modules = names.split(',').map(|m| m.trim().trim_end_matches('/').to_string()).filter(|m| !m.is_empty());
        match layers.last_mut() {
            Some(layer) if line.starts_with(' ') => layer.extend(modules),
            _ => layers.push(modules.collect()),
        }
    }
    layers.reverse();
    layers
}

static LAYERS: LazyLock<Vec<Vec<String>>> = LazyLock::new(layers);

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.iter().any(|m| m == module))
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

/// What the crate root names: its modules, and each name it re-exports with the module the
/// name comes from (`pub use error::Result` gives `Result → error`).
#[derive(Default)]
struct Root {
    modules: BTreeSet<String>,
    exports: BTreeMap<String, String>,
}

impl Root {
    fn read(lib_rs: &str) -> Root {
        let file = syn::parse_file(lib_rs).unwrap();
        let mut root = Root::default();
        for item in &file.items {
            match item {
                // A module with a file of its own; an inline one (the tests' `test_support`)
                // only re-exports what the others hold.
                syn::Item::Mod(m) if m.content.is_none() => {
                    root.modules.insert(m.ident.to_string());
                }
                syn::Item::Use(u) => {
                    let mut paths = Vec::new();
                    flatten(&u.tree, &mut Vec::new(), &mut paths);
                    for (path, name) in paths {
                        if let (Some(first), Some(name)) = (path.first(), name) {
                            root.exports.insert(name, first.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        root
    }

    /// The top-level module an absolute path (segments after `crate`) lands in.
    fn module_of(&self, path: &[String]) -> Option<String> {
        let first = path.first()?;
        if self.modules.contains(first) {
            Some(first.clone())
        } else {
            self.exports.get(first).cloned()
        }
    }
}

/// Each leaf of a `use` tree as its full path, with the name it is known by (None for `*`).
fn flatten(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut full = prefix.clone();
            full.push(n.ident.to_string());
            out.push((full, Some(n.ident.to_string())));
        }
        syn::UseTree::Rename(r) => {
            let mut full = prefix.clone();
            full.push(r.ident.to_string());
            out.push((full, Some(r.rename.to_string())));
        }
        syn::UseTree::Glob(_) => out.push((prefix.clone(), None)),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten(t, prefix, out);
            }
        }
    }
}

/// Walks one source file, knowing which module it is in (inline `mod tests { … }` included),
/// and collects the top-level modules its `crate::`, `super::` and `self::` paths reach.
struct Reader<'a> {
    root: &'a Root,
    module: Vec<String>,
    used: BTreeSet<String>,
}

impl Reader<'_> {
    /// The path made absolute (segments after `crate`), or None when it starts elsewhere
    /// (a dependency, the standard library, a local name).
    fn absolute(&self, segments: &[String]) -> Option<Vec<String>> {
        let first = segments.first()?;
        match first.as_str() {
            "crate" => Some(segments[1..].to_vec()),
            "self" => Some(self.module.iter().chain(&segments[1..]).cloned().collect()),
            "super" => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                let base = self.module.len().checked_sub(ups)?;
                Some(self.module[..base].iter().chain(&segments[ups..]).cloned().collect())
            }
            _ => None,
        }
    }

    fn note(&mut self, segments: &[String]) {
        if let Some(module) = self.absolute(segments).and_then(|abs| self.root.module_of(&abs)) {
            self.used.insert(module);
        }
    }
}

impl<'ast> Visit<'ast> for Reader<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if m.content.is_some() {
            self.module.push(m.ident.to_string());
            syn::visit::visit_item_mod(self, m);
            self.module.pop();
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut paths = Vec::new();
        flatten(&u.tree, &mut Vec::new(), &mut paths);
        for (path, _) in paths {
            self.note(&path);
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        self.note(&segments);
        syn::visit::visit_path(self, p);
    }
}

/// The module path of a file under `src/`: `flows/config.rs` is `flows::config`,
/// `flows/mod.rs` is `flows`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().to_string()).collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs").to_string();
        if stem != "mod" {
            parts.push(stem);
        }
    }
    parts
}

/// The top-level modules a file uses, read as Rust.
fn used_modules(root: &Root, module: Vec<String>, text: &str) -> BTreeSet<String> {
    let file = syn::parse_file(text).unwrap();
    let mut reader = Reader { root, module, used: BTreeSet::new() };
    reader.visit_file(&file);
    reader.used
}

#[test]
fn every_module_uses_only_its_layer_or_lower_ones() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let root = Root::read(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let module = module_path(rel);
        let Some(top) = module.first().cloned() else { continue };
        if top == "lib" {
            continue; // the crate root declares and re-exports every module
        }
        let own = layer(&top).unwrap_or_else(|| panic!("src/{} is in no layer: add it to the layer picture in lib.rs", rel.display()));
        let text = std::fs::read_to_string(file).unwrap();
        for used in used_modules(&root, module, &text) {
            match layer(&used) {
                Some(l) if l > own => wrong.push(format!("src/{} ({top}) uses {used}, a higher layer", rel.display())),
                None => wrong.push(format!("src/{} uses {used}, which is in no layer", rel.display())),
                _ => {}
            }
        }
    }
    assert!(wrong.is_empty(), "layers pointing up:\n{}", wrong.join("\n"));
}

fn sample_root() -> Root {
    Root::read(
        "pub mod desk;\nmod error;\npub mod flows;\npub mod model;\npub use desk::{Desk, Token as DeskToken};\npub use error::Result;",
    )
}

fn read(module: &[&str], text: &str) -> Vec<String> {
    used_modules(&sample_root(), module.iter().map(|s| s.to_string()).collect(), text).into_iter().collect()
}

#[test]
fn the_picture_is_read_lowest_first_with_continuation_lines() {
    let lib = "//! # Layers\n//!\n//! ```text\n//! desk/                the entry point\n//! template, validate,  the catalogue\n//!   providers\n//! model                vocabulary\n//! ```\n";
    assert_eq!(parse_picture(lib), [vec!["model"], vec!["template", "validate", "providers"], vec!["desk"]]);
}

#[test]
fn every_module_the_crate_root_declares_is_in_the_picture() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let root = Root::read(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let missing: Vec<&String> = root.modules.iter().filter(|m| layer(m).is_none()).collect();
    assert!(missing.is_empty(), "modules missing from lib.rs's layer picture: {missing:?}");
}

#[test]
fn the_reader_sees_plain_grouped_and_nested_uses() {
    let text = "use crate::error::Result;\nuse crate::{flows::{http, gate::{send}}, model};\nfn f() { crate::desk::open(); }";
    assert_eq!(read(&["flows", "config"], text), ["desk", "error", "flows", "model"]);
}

#[test]
fn the_reader_resolves_names_the_crate_root_re_exports() {
    // `crate::Desk` is the desk module even though the path never says so.
    assert_eq!(read(&["flows"], "use crate::Desk;"), ["desk"]);
    assert_eq!(read(&["flows"], "use crate::{DeskToken, Result};"), ["desk", "error"]);
    assert_eq!(read(&["flows"], "fn f() -> crate::Result<()> { let _d: Option<crate::Desk> = None; Ok(()) }"), ["desk", "error"]);
}

#[test]
fn the_reader_follows_super_and_self_to_the_crate_root() {
    // From a top-level file, `super` is the crate root; from `flows::config`, `super::super`.
    assert_eq!(read(&["flows"], "use super::Desk;"), ["desk"]);
    assert_eq!(read(&["flows", "config"], "use super::super::desk::Token;"), ["desk"]);
    assert_eq!(read(&["flows", "config"], "use super::gate;"), ["flows"]);
    // Inside an inline `mod tests`, one more `super` is needed to leave the file.
    assert_eq!(read(&["model"], "mod tests { use super::super::Desk; }"), ["desk"]);
    assert_eq!(read(&["model"], "mod tests { use super::*; }"), ["model"]);
}

#[test]
fn a_re_exported_upward_use_fails_the_rule() {
    // The rule itself, on a made-up file: `flows` naming `crate::Desk` points up.
    let used = read(&["flows", "config"], "use crate::Desk;");
    let flows = layer("flows").unwrap();
    assert!(used.iter().any(|m| layer(m).is_some_and(|l| l > flows)), "{used:?}");
}
