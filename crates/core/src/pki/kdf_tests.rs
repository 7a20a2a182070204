//! Key files whose password derivation costs more than the bound are refused before any
//! work, in every format and field that carries a cost.

use std::time::{Duration, Instant};

use pkcs8::der::Encode as _;
use pkcs8::pkcs5::pbes2;

use super::*;
use crate::pki::{generate, import, Algorithm};

/// Runs `import` on its own thread and fails the test when it is still deriving after
/// two seconds (it would go on for up to an hour), instead of waiting for it.
fn import_quickly(file: Vec<u8>, password: Option<&'static str>) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        let _ = tx.send(match import(&file, None, password) {
            Ok(_) => "imported".to_string(),
            Err(e) => e.to_string(),
        });
    });
    let answer = rx.recv_timeout(Duration::from_secs(2)).unwrap_or_else(|_| panic!("the import was still running after 2 s"));
    assert!(started.elapsed() < Duration::from_secs(2));
    answer
}

/// An encrypted PKCS#8 key whose scheme is `params` (the ciphertext is no key: the
/// bounds are checked before it is opened).
fn pkcs8_with(params: pbes2::Parameters<'_>) -> Vec<u8> {
    let info = pkcs8::EncryptedPrivateKeyInfo { encryption_algorithm: EncryptionScheme::Pbes2(params), encrypted_data: &[7u8; 48] };
    info.to_der().unwrap_or_else(|e| panic!("{e}"))
}

/// PBES2 with PBKDF2-SHA256 at `count` iterations (built field by field: the crate's
/// own constructor refuses counts above 10^8, its reader does not).
fn pbkdf2(count: u32) -> pbes2::Parameters<'static> {
    let kdf = pbes2::Pbkdf2Params { salt: &[1; 16], iteration_count: count, key_length: None, prf: pbes2::Pbkdf2Prf::HmacWithSha256 };
    pbes2::Parameters { kdf: kdf.into(), encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: &[2; 16] } }
}

fn pem_of(der: &[u8]) -> Vec<u8> {
    pem::encode(&pem::Pem::new("ENCRYPTED PRIVATE KEY", der.to_vec())).into_bytes()
}

/// Counts past the bound: just past it, powers of two, the file format's largest, and a
/// spread of others.
fn too_many() -> Vec<u32> {
    let mut counts = vec![10_000_001, 16_777_216, 100_000_000, (1 << 31) - 1, u32::MAX];
    let mut x: u32 = 0x9e37_79b9;
    for _ in 0..20 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        counts.push(x.max(10_000_001));
    }
    counts
}

#[test]
fn a_pkcs8_key_above_the_pbkdf2_bound_is_refused_before_any_derivation() {
    for count in too_many() {
        let der = pkcs8_with(pbkdf2(count));
        for (file, password) in [(der.clone(), Some("pw")), (pem_of(&der), Some("pw")), (pem_of(&der), None)] {
            let said = import_quickly(file, password);
            assert!(said.contains(&format!("PBKDF2 iteration count of {count}, above 10000000")), "{count}: {said}");
            assert!(said.starts_with("key: "), "{said}");
        }
    }
    // At or under the bound the file is opened (and this one's ciphertext is no key).
    for count in [600_000, 1_000_000, 10_000_000] {
        assert!(check_scheme(&EncryptionScheme::Pbes2(pbkdf2(count))).is_ok(), "{count}");
    }
    for count in [2048, 10_000] {
        let der = pkcs8_with(pbkdf2(count));
        assert!(import_quickly(der, Some("pw")).contains("did not open with this password"));
    }
    assert!(iterations("x", MAX_ITERATIONS).is_ok() && iterations("x", MAX_ITERATIONS + 1).is_err());
}

#[test]
fn a_pkcs8_key_above_the_scrypt_bounds_is_refused_before_any_derivation() {
    let scrypt = |log_n: u32, r: u16, p: u16| {
        let kdf = Kdf::Scrypt(pbes2::ScryptParams {
            salt: &[1; 16],
            cost_parameter: 1 << log_n,
            block_size: r,
            parallelization: p,
            key_length: None,
        });
        pkcs8_with(pbes2::Parameters { kdf, encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: &[2; 16] } })
    };
    for log_n in 21..64 {
        let said = import_quickly(scrypt(log_n, 8, 1), Some("pw"));
        assert!(said.contains(&format!("scrypt cost N of {}, above 2^20", 1u64 << log_n)), "{said}");
    }
    for (log_n, r, p) in [(20, 16, 1), (20, 8, 2), (14, 8, 1000), (10, u16::MAX, u16::MAX)] {
        let said = import_quickly(scrypt(log_n, r, p), Some("pw"));
        assert!(said.contains("scrypt N·r·p of") && said.contains("above 8388608"), "{said}");
    }
    assert!(import_quickly(scrypt(10, 8, 1), Some("pw")).contains("did not open with this password"));
}

/// A DER tree, with OCTET STRINGs that hold DER read as trees too, to patch a value
/// deep inside a file and encode it again.
enum Node {
    Leaf(u8, Vec<u8>),
    Tree(u8, Vec<Node>),
}

fn parse(bytes: &[u8]) -> Option<Vec<Node>> {
    let mut rest = bytes;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (t, after) = tlv(rest)?;
        let nested = (t.tag & 0x20 != 0 || t.tag == OCTET_STRING).then(|| parse(t.content)).flatten();
        out.push(match nested {
            Some(kids) if !kids.is_empty() => Node::Tree(t.tag, kids),
            _ => Node::Leaf(t.tag, t.content.to_vec()),
        });
        rest = after;
    }
    Some(out)
}

fn encode(nodes: &[Node]) -> Vec<u8> {
    let mut out = Vec::new();
    for n in nodes {
        let (tag, content) = match n {
            Node::Leaf(tag, c) => (*tag, c.clone()),
            Node::Tree(tag, kids) => (*tag, encode(kids)),
        };
        out.push(tag);
        let len = content.len().to_be_bytes();
        let len: Vec<u8> = len.iter().copied().skip_while(|b| *b == 0).collect();
        match len.as_slice() {
            [] => out.push(0),
            [b] if *b < 0x80 => out.push(*b),
            l => {
                out.push(0x80 | l.len() as u8);
                out.extend_from_slice(l);
            }
        }
        out.extend_from_slice(&content);
    }
    out
}

/// Replaces the `nth` INTEGER holding `from` with `to` (big-endian, two's complement);
/// says whether there was one.
fn patch(nodes: &mut [Node], from: &[u8], to: &[u8], nth: &mut usize) -> bool {
    for n in nodes {
        match n {
            Node::Leaf(INTEGER, c) if c.as_slice() == from => {
                if *nth == 0 {
                    *c = to.to_vec();
                    return true;
                }
                *nth -= 1;
            }
            // A guard cannot borrow `kids` mutably: the recursion is the arm's body.
            #[allow(clippy::collapsible_match)]
            Node::Tree(_, kids) => {
                if patch(kids, from, to, nth) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

#[test]
fn every_iteration_count_of_a_pkcs12_file_is_bounded() {
    let k = generate(Algorithm::Es256, None, "p12").unwrap_or_else(|e| panic!("{e}"));
    let der = crate::pki::cert_der(k.cert.as_deref().unwrap_or_default()).unwrap_or_default();
    let key_der = pem::parse(k.key.expose()).map(|p| p.into_contents()).unwrap_or_default();
    let cert = p12_keystore::Certificate::from_der(&der).unwrap_or_else(|e| panic!("{e}"));
    let mut store = p12_keystore::KeyStore::new();
    let chain = p12_keystore::PrivateKeyChain::new(key_der, [1u8; 4], vec![cert]);
    store.add_entry("k", p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    // Distinct small counts, so each place can be found and patched alone.
    let p12 = store.writer("pw").mac_iterations(97).encryption_iterations(89).write().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(import_quickly(p12.clone(), Some("pw")), "imported");
    let tree = || parse(&p12).unwrap_or_else(|| panic!("not DER"));
    let mut places = 0;
    for (from, what) in [(97u8, "PKCS#12 MAC iteration count"), (89, "PBKDF2 iteration count")] {
        for nth in 0.. {
            for (to, said) in [
                (vec![0x7f, 0xff, 0xff, 0xff], format!("{what} of 2147483647, above 10000000")),
                (vec![0x00, 0x98, 0x96, 0x81], format!("{what} of 10000001, above 10000000")),
                (vec![0x01; 12], format!("{what} of {}, above 10000000", u64::MAX)),
                (vec![0xff], "negative iteration count".to_string()),
            ] {
                let mut t = tree();
                if !patch(&mut t, &[from], &to, &mut { nth }) {
                    break;
                }
                let answer = import_quickly(encode(&t), Some("pw"));
                // PBES2 reads its count as 32 bits: a larger or negative one is no PBES2
                // file at all, and is refused as unreadable (as quickly).
                let unreadable = from == 89 && (to.len() > 4 || to == [0xff]);
                assert!(if unreadable { answer != "imported" } else { answer.contains(&said) }, "{what} #{nth}: {answer}");
                places += 1;
            }
            let mut t = tree();
            if !patch(&mut t, &[from], &[from], &mut { nth }) {
                break;
            }
        }
    }
    // The MAC, the key's encryption, and the certificates' part.
    assert_eq!(places, 3 * 4, "every count in the file was patched");
}
