//! What each command takes and returns, as TypeScript, read from its Rust signature: the
//! `Commands` type of the UI's generated contract, which `ui/src/api.ts`'s one typed `call`
//! takes its arguments and results from. Changing a command's parameters or result changes
//! the file, and the UI's type check then fails wherever a call no longer fits.
//!
//! The signature is read from the command's module (`commands!` says which) as Rust source:
//! a declarative macro cannot see a function's parameters, and tauri's own attribute keeps
//! them to itself. Types map as ts-rs maps them; a named type must have its ts-rs binding
//! (`#[derive(TS)] #[ts(export)]`), and a type this reader does not know fails the test that
//! writes the file, saying which command and type.

use std::collections::BTreeSet;
use std::path::Path;

use syn::{Attribute, FnArg, GenericArgument, Item, Pat, PathArguments, ReturnType, Type};

use super::Section;

/// Parameters tauri fills in itself: the page does not send them.
const INJECTED: &[&str] = &["State", "AppHandle", "Window", "WebviewWindow", "Webview"];

/// A command's result wrappers (`commands::Answer`, `commands::Shown`): the page receives the
/// value inside.
const WRAPPERS: &[&str] = &["Answer", "Shown"];

/// One command, as TypeScript: its arguments as the page names them, and its result.
#[derive(Debug, PartialEq)]
pub struct Signature {
    pub args: Vec<(String, String)>,
    pub result: String,
}

/// The `Commands` section: every command of `commands` (module, name), read from
/// `commands_dir/<module>.rs`; named types must have a binding in `bindings_dir`.
pub fn section(commands: &[(&str, &str)], commands_dir: &Path, bindings_dir: &Path) -> Result<Section, String> {
    let mut imports = BTreeSet::new();
    let mut body = String::from("export type Commands = {\n");
    for (module, name) in commands {
        let path = commands_dir.join(format!("{module}.rs"));
        let source = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let signature = read(&source, name, &mut imports).map_err(|e| format!("command {module}::{name}: {e}"))?;
        let args = if signature.args.is_empty() {
            "Record<string, never>".to_owned()
        } else {
            let fields: Vec<String> = signature.args.iter().map(|(n, t)| format!("{n}: {t}")).collect();
            format!("{{ {} }}", fields.join("; "))
        };
        body.push_str(&format!("  {name}: {{ args: {args}; result: {} }};\n", signature.result));
    }
    body.push_str("};\n");
    for name in &imports {
        if !bindings_dir.join(format!("{name}.ts")).is_file() {
            return Err(format!("{name} crosses to the window but has no binding: derive TS and #[ts(export)] it"));
        }
    }
    Ok(Section {
        doc: "What each command takes and returns, read from its signature (src-tauri/src/commands).",
        imports: imports.into_iter().collect(),
        body,
    })
}

/// The command `name` in a module's source: its arguments (without the ones tauri fills in)
/// and its result, noting the named types it uses in `imports`.
pub fn read(source: &str, name: &str, imports: &mut BTreeSet<String>) -> Result<Signature, String> {
    let file = syn::parse_file(source).map_err(|e| format!("the module does not parse: {e}"))?;
    let function = file
        .items
        .iter()
        .find_map(|item| match item {
            Item::Fn(f) if f.sig.ident == name && f.attrs.iter().any(is_command) => Some(f),
            _ => None,
        })
        .ok_or_else(|| "no #[tauri::command] function of that name in its module".to_owned())?;
    // Tauri names arguments in camelCase unless the command says otherwise.
    let camel = !function.attrs.iter().filter(|a| is_command(a)).any(|a| {
        let tokens = a.meta.require_list().map(|l| l.tokens.to_string()).unwrap_or_default();
        tokens.contains("rename_all") && tokens.contains("snake_case")
    });
    let mut args = Vec::new();
    for input in &function.sig.inputs {
        let FnArg::Typed(arg) = input else { return Err("a command takes no self".into()) };
        if injected(&arg.ty) {
            continue;
        }
        let Pat::Ident(ident) = &*arg.pat else { return Err("an argument that is not a plain name".into()) };
        let name = ident.ident.to_string();
        args.push((if camel { camel_case(&name) } else { name }, ts_type(&arg.ty, imports)?));
    }
    let result = match &function.sig.output {
        ReturnType::Default => "null".to_owned(),
        ReturnType::Type(_, ty) => result_type(ty, imports)?,
    };
    Ok(Signature { args, result })
}

fn is_command(attribute: &Attribute) -> bool {
    attribute.path().segments.last().is_some_and(|s| s.ident == "command")
}

fn injected(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|(name, _)| INJECTED.contains(&name.as_str()))
}

/// What the page receives: the value inside `Answer`/`Shown`; a revealed secret is a string,
/// or null when the person said no.
fn result_type(ty: &Type, imports: &mut BTreeSet<String>) -> Result<String, String> {
    let (name, generics) = last_segment(ty).unwrap_or_default();
    match (name.as_str(), generics.as_slice()) {
        (wrapper, [inner]) if WRAPPERS.contains(&wrapper) => ts_type(inner, imports),
        ("Revealing", []) => Ok("string | null".to_owned()),
        _ => ts_type(ty, imports),
    }
}

/// A Rust type as ts-rs writes it.
pub fn ts_type(ty: &Type, imports: &mut BTreeSet<String>) -> Result<String, String> {
    match ty {
        Type::Reference(r) => ts_type(&r.elem, imports),
        Type::Paren(p) => ts_type(&p.elem, imports),
        Type::Tuple(t) if t.elems.is_empty() => Ok("null".to_owned()),
        Type::Path(_) => {
            let Some((name, generics)) = last_segment(ty) else { return Err(unknown(ty)) };
            match (name.as_str(), generics.as_slice()) {
                ("String" | "str" | "char", []) => Ok("string".to_owned()),
                ("bool", []) => Ok("boolean".to_owned()),
                ("u8" | "u16" | "u32" | "usize" | "i8" | "i16" | "i32" | "isize" | "f32" | "f64", []) => Ok("number".to_owned()),
                ("u64" | "i64" | "u128" | "i128", []) => Ok("bigint".to_owned()),
                ("Option", [inner]) => Ok(format!("{} | null", ts_type(inner, imports)?)),
                ("Vec", [inner]) => Ok(format!("Array<{}>", ts_type(inner, imports)?)),
                ("BTreeMap" | "HashMap", [key, value]) => Ok(format!("Record<{}, {}>", ts_type(key, imports)?, ts_type(value, imports)?)),
                (named, []) if named.starts_with(|c: char| c.is_ascii_uppercase()) => {
                    imports.insert(named.to_owned());
                    Ok(named.to_owned())
                }
                _ => Err(unknown(ty)),
            }
        }
        _ => Err(unknown(ty)),
    }
}

fn unknown(ty: &Type) -> String {
    let name = last_segment(ty).map_or_else(|| "a type that is not a path".to_owned(), |(name, _)| format!("`{name}`"));
    format!("{name} has no TypeScript here: use a type ts-rs exports, or teach contract/signatures.rs")
}

/// The last path segment's name and its type arguments (`Option<Vec<X>>` → `Option`, [`Vec<X>`]).
fn last_segment(ty: &Type) -> Option<(String, Vec<&Type>)> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    let generics = match &segment.arguments {
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some((segment.ident.to_string(), generics))
}

/// `client_id` → `clientId`, as tauri names a command's arguments.
fn camel_case(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(rust: &str) -> Result<String, String> {
        let ty: Type = syn::parse_str(rust).map_err(|e| e.to_string())?;
        ts_type(&ty, &mut BTreeSet::new())
    }

    fn command(signature: &str) -> Result<Signature, String> {
        read(&format!("#[tauri::command]\npub async {signature} {{ todo!() }}"), "c", &mut BTreeSet::new())
    }

    /// Every base type inside every nesting of `Option` and `Vec`, as ts-rs writes it.
    #[test]
    fn every_shape_maps_as_ts_rs_writes_it() {
        let bases = [
            ("String", "string"),
            ("&str", "string"),
            ("bool", "boolean"),
            ("u8", "number"),
            ("u32", "number"),
            ("usize", "number"),
            ("i32", "number"),
            ("f64", "number"),
            ("u64", "bigint"),
            ("i64", "bigint"),
            ("Profile", "Profile"),
            ("oauthdesk_core::TokenView", "TokenView"),
        ];
        // A nesting: its name, the Rust type around `T`, and the TypeScript around it.
        type Shape = (&'static str, fn(&str) -> String, fn(&str) -> String);
        let wrappers: [Shape; 5] = [
            ("T", |t| t.to_owned(), |t| t.to_owned()),
            ("Option<T>", |t| format!("Option<{t}>"), |t| format!("{t} | null")),
            ("Vec<T>", |t| format!("Vec<{t}>"), |t| format!("Array<{t}>")),
            ("Option<Vec<T>>", |t| format!("Option<Vec<{t}>>"), |t| format!("Array<{t}> | null")),
            ("Vec<Option<T>>", |t| format!("Vec<Option<{t}>>"), |t| format!("Array<{t} | null>")),
        ];
        for (rust, expected) in bases {
            for (shape, wrap, wrap_ts) in wrappers {
                assert_eq!(ts(&wrap(rust)), Ok(wrap_ts(expected)), "{rust} as {shape}");
            }
        }
        assert_eq!(ts("()"), Ok("null".to_owned()));
    }

    #[test]
    fn named_types_are_imported_once_each() {
        let mut imports = BTreeSet::new();
        for rust in ["Profile", "Vec<Profile>", "Option<KeyInfo>", "core::model::Profile"] {
            let ty: Type = syn::parse_str(rust).unwrap();
            ts_type(&ty, &mut imports).unwrap();
        }
        assert_eq!(imports.into_iter().collect::<Vec<_>>(), ["KeyInfo", "Profile"]);
    }

    #[test]
    fn a_type_without_typescript_fails_naming_it() {
        for rust in ["(String, u32)", "[u8; 4]", "Box<Profile>", "lowercase", "fn()", "BTreeMap<String, Box<u8>>"] {
            let e = ts(rust).expect_err(rust);
            assert!(e.contains("has no TypeScript here"), "{rust}: {e}");
        }
        assert!(ts("Box<Profile>").unwrap_err().contains("`Box`"));
    }

    #[test]
    fn a_map_is_a_record_of_its_key_and_value() {
        assert_eq!(ts("BTreeMap<String, String>"), Ok("Record<string, string>".to_owned()));
        assert_eq!(ts("std::collections::HashMap<String, Option<u32>>"), Ok("Record<string, number | null>".to_owned()));
    }

    /// Tauri fills these in; the page sends every other argument, by its camelCase name.
    #[test]
    fn injected_parameters_are_left_out_and_the_rest_named_as_tauri_names_them() {
        for injected in INJECTED {
            let s =
                command(&format!("fn c(x: tauri::{injected}<'_, AppState>, key_id: String, bits: Option<usize>) -> Answer<bool>")).unwrap();
            let args = [("keyId".to_owned(), "string".to_owned()), ("bits".to_owned(), "number | null".to_owned())];
            assert_eq!(s.args, args, "{injected}");
        }
        let kept = read("#[tauri::command(rename_all = \"snake_case\")]\nfn c(key_id: String) {}", "c", &mut BTreeSet::new()).unwrap();
        assert_eq!(kept.args, [("key_id".to_owned(), "string".to_owned())]);
    }

    #[test]
    fn the_result_is_what_the_page_receives() {
        let cases = [
            ("fn c()", "null"),
            ("fn c() -> Answer<()>", "null"),
            ("fn c() -> Answer<Vec<Profile>>", "Array<Profile>"),
            ("fn c() -> Shown<Option<String>>", "string | null"),
            ("fn c() -> Revealing", "string | null"),
            ("fn c() -> bool", "boolean"),
        ];
        for (signature, result) in cases {
            assert_eq!(command(signature).unwrap().result, result, "{signature}");
        }
    }

    #[test]
    fn a_function_that_is_not_a_command_is_not_read() {
        let e = read("pub fn c(handle: String) {}", "c", &mut BTreeSet::new()).unwrap_err();
        assert!(e.contains("no #[tauri::command]"), "{e}");
        assert!(command("fn d()").is_err());
    }

    #[test]
    fn a_named_type_without_a_binding_fails_the_section() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("m.rs"), "#[tauri::command]\nfn c() -> Answer<Unbound> { todo!() }").unwrap();
        let e = section(&[("m", "c")], dir.path(), dir.path()).err().unwrap();
        assert!(e.contains("Unbound crosses to the window but has no binding"), "{e}");
        std::fs::write(dir.path().join("Unbound.ts"), "").unwrap();
        let s = section(&[("m", "c")], dir.path(), dir.path()).unwrap();
        assert_eq!(s.body, "export type Commands = {\n  c: { args: Record<string, never>; result: Unbound };\n};\n");
        assert_eq!(s.imports, ["Unbound"]);
    }
}
