//! The knowledge base's files, built into the program: the generic RFC entries and one file
//! per provider.

pub const FILES: &[(&str, &str)] = &[
    ("rfc.json", include_str!("../../knowledge/rfc.json")),
    ("salesforce.json", include_str!("../../knowledge/salesforce.json")),
    ("entra.json", include_str!("../../knowledge/entra.json")),
    ("google.json", include_str!("../../knowledge/google.json")),
];
