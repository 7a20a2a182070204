//! Bounds on the password-based key derivation of an encrypted key file, checked before any
//! of it is done: a file states its own work factor, and one that asks for 2^31 PBKDF2
//! iterations would keep an import busy for about an hour.
//!
//! The bounds leave room above what real tools write: OpenSSL 3 derives PKCS#8 and PKCS#12
//! keys with 2048 PBKDF2 iterations (its MAC too), password managers and newer guidance use
//! 600,000 to 1,000,000, and OpenSSL's scrypt default is N = 2^14, r = 8, p = 1. Ten million
//! iterations open in a few seconds; scrypt's N = 2^20 with r = 8 needs 1 GiB of memory,
//! the most a desktop import should take.

use pkcs8::der::Decode as _;
use pkcs8::pkcs5::{pbes2::Kdf, EncryptionScheme};

use crate::error::{Error, Result};

/// The most PBKDF2 iterations (and PKCS#12 MAC or PBE iterations) an import performs.
pub const MAX_ITERATIONS: u64 = 10_000_000;
/// The largest scrypt cost N (2^20).
pub const MAX_SCRYPT_LOG_N: u32 = 20;
/// The largest scrypt N·r·p: N = 2^20 at r = 8, p = 1 (128 bytes each: 1 GiB of work).
pub const MAX_SCRYPT_WORK: u64 = 1 << 23;

fn refuse(what: &str, value: u64, bound: &str) -> Error {
    Error::invalid(
        "key",
        format!(
            "is encrypted with a {what} of {value}, above {bound}, the most OAuth Desk accepts (opening it would take too long): \
             encrypt the key again with a lower setting (OpenSSL's default is 2048 iterations)"
        ),
    )
}

/// An iteration count of a PBKDF2 or PKCS#12 derivation, `what` naming it.
fn iterations(what: &str, count: u64) -> Result<()> {
    if count > MAX_ITERATIONS {
        return Err(refuse(what, count, &MAX_ITERATIONS.to_string()));
    }
    Ok(())
}

fn scrypt(n: u64, r: u64, p: u64) -> Result<()> {
    if n > 1 << MAX_SCRYPT_LOG_N {
        return Err(refuse("scrypt cost N", n, &format!("2^{MAX_SCRYPT_LOG_N} ({})", 1u64 << MAX_SCRYPT_LOG_N)));
    }
    let work = n.saturating_mul(r).saturating_mul(p);
    if work > MAX_SCRYPT_WORK {
        return Err(refuse("scrypt N·r·p", work, &MAX_SCRYPT_WORK.to_string()));
    }
    Ok(())
}

/// A derivation whose cost cannot be told is not run.
fn unknown() -> Error {
    Error::invalid("key", "is encrypted with a key derivation OAuth Desk does not read: use PBKDF2 or scrypt (PBES2)")
}

/// Refuses an encryption scheme whose key derivation costs more than the bounds allow.
pub fn check_scheme(scheme: &EncryptionScheme<'_>) -> Result<()> {
    match scheme {
        EncryptionScheme::Pbes2(p) => match &p.kdf {
            Kdf::Pbkdf2(k) => iterations("PBKDF2 iteration count", u64::from(k.iteration_count)),
            Kdf::Scrypt(s) => scrypt(s.cost_parameter, u64::from(s.block_size), u64::from(s.parallelization)),
            _ => Err(unknown()),
        },
        EncryptionScheme::Pbes1(a) => iterations("PBES1 iteration count", u64::from(a.parameters.iteration_count)),
        _ => Err(unknown()),
    }
}

/// Refuses a PKCS#12 file (DER) any of whose key derivations costs more than the bounds
/// allow: its MAC, each encrypted part, each encrypted key; the parts encrypted with PBES2
/// are opened (their own derivation checked first) to check the keys inside them too. A
/// file that is no DER passes: reading it fails later, before any derivation.
pub fn check_pkcs12(der: &[u8], password: &str) -> Result<()> {
    let Some((top, _)) = tlv(der) else { return Ok(()) };
    // PFX ::= SEQUENCE { version, authSafe, macData MacData OPTIONAL }
    // MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
    if let Some(mac) = children(&top).and_then(|k| k.into_iter().nth(2)).and_then(|m| children(&m)) {
        if let Some(count) = mac.get(2).filter(|t| t.tag == INTEGER) {
            iterations("PKCS#12 MAC iteration count", integer(count)?)?;
        }
    }
    walk(&top, password, 0)
}

const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const SEQUENCE: u8 = 0x30;
/// `[0] IMPLICIT OCTET STRING`: the encrypted content of an EncryptedContentInfo.
const CONTEXT_0: u8 = 0x80;
/// 1.2.840.113549.1.12.1: PKCS#12's own password-based encryption schemes.
const PKCS12_PBE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01];
/// 1.2.840.113549.1.7.1: `data`, the content type of an EncryptedContentInfo.
const DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
/// Deeper than any PKCS#12 file is nested.
const MAX_DEPTH: usize = 32;

/// One DER element: its tag, its contents, and the whole encoding.
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
    raw: &'a [u8],
}

/// The first element of `input` and what follows it; `None` when it is no DER element this
/// reader knows (multi-byte tags and indefinite lengths are not DER a PKCS#12 reader takes).
fn tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let (bytes, rest) = rest.split_at_checked(n)?;
        (bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b)), rest)
    };
    let (content, after) = rest.split_at_checked(len)?;
    let raw = input.get(..input.len() - after.len())?;
    Some((Tlv { tag, content, raw }, after))
}

/// The elements inside `t`, when its contents are exactly a run of DER elements.
fn children<'a>(t: &Tlv<'a>) -> Option<Vec<Tlv<'a>>> {
    let mut rest = t.content;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (child, after) = tlv(rest)?;
        out.push(child);
        rest = after;
    }
    Some(out)
}

/// An INTEGER as a count: a negative one is refused, one beyond u64 counts as u64::MAX.
fn integer(t: &Tlv<'_>) -> Result<u64> {
    if t.content.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(Error::invalid("key", "is encrypted with a negative iteration count: the file is damaged"));
    }
    let digits: Vec<u8> = t.content.iter().copied().skip_while(|b| *b == 0).collect();
    if digits.len() > 8 {
        return Ok(u64::MAX);
    }
    Ok(digits.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

fn walk(t: &Tlv<'_>, password: &str, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    // Constructed elements hold elements; an OCTET STRING or an encrypted content may too.
    let nested = t.tag & 0x20 != 0 || t.tag == OCTET_STRING || t.tag == CONTEXT_0;
    let Some(kids) = children(t).filter(|_| nested) else { return Ok(()) };
    if t.tag == SEQUENCE {
        sequence(t, &kids)?;
    }
    for kid in &kids {
        walk(kid, password, depth + 1)?;
    }
    if t.tag == SEQUENCE {
        encrypted_content(&kids, password, depth)?;
    }
    Ok(())
}

/// An AlgorithmIdentifier of a password-based scheme: PBES1 or PBES2 (PBKDF2 or scrypt),
/// read as the key file's reader reads it, or one of PKCS#12's own `{ salt, iterations }`.
fn sequence(t: &Tlv<'_>, kids: &[Tlv<'_>]) -> Result<()> {
    if let Ok(scheme) = EncryptionScheme::from_der(t.raw) {
        return check_scheme(&scheme);
    }
    if let [oid, params] = kids {
        if oid.tag == OID && oid.content.starts_with(PKCS12_PBE) && params.tag == SEQUENCE {
            if let Some(count) = children(params).and_then(|p| p.into_iter().nth(1)).filter(|c| c.tag == INTEGER) {
                iterations("PKCS#12 PBE iteration count", integer(&count)?)?;
            }
        }
    }
    Ok(())
}

/// EncryptedContentInfo ::= SEQUENCE { data, PBES2 AlgorithmIdentifier (checked by then),
/// [0] ciphertext }: opened with the password, so the keys inside are checked as well.
fn encrypted_content(kids: &[Tlv<'_>], password: &str, depth: usize) -> Result<()> {
    let [oid, alg, content] = kids else { return Ok(()) };
    if oid.tag != OID || oid.content != DATA || content.tag != CONTEXT_0 {
        return Ok(());
    }
    let Ok(scheme) = EncryptionScheme::from_der(alg.raw) else { return Ok(()) };
    check_scheme(&scheme)?;
    let Ok(plain) = scheme.decrypt(password.as_bytes(), content.content) else { return Ok(()) };
    let mut rest = plain.as_slice();
    while let Some((inner, after)) = tlv(rest) {
        walk(&inner, password, depth + 1)?;
        rest = after;
    }
    Ok(())
}

#[cfg(test)]
#[path = "kdf_tests.rs"]
mod tests;
