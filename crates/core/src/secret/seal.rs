//! Sealing values for the store: XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`) under
//! the store's one 256-bit data key, a fresh random 192-bit nonce per value, and associated
//! data that names the store, the row and the column, so a sealed value copied to another
//! profile or field does not open. The key lives in memory only in a [`DataKey`], which
//! zeroizes on drop; in the OS keyring it is the one item OAuth Desk keeps there.
//!
//! Layout of a sealed value: `1` (the format version) ‖ nonce (24 bytes) ‖ ciphertext ‖ tag.

use std::fmt;

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

/// The store's data key. Never printed, never serialized; zeroized when dropped.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
    /// A new random key.
    pub fn generate() -> Self {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(key.as_slice());
        DataKey(bytes)
    }

    /// The key as the keyring keeps it (base64 text).
    pub fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(self.0.as_slice()))
    }

    /// The key from its keyring text; `None` when the text is not a key.
    pub fn from_text(text: &str) -> Option<Self> {
        let bytes = Zeroizing::new(base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()?);
        let mut key = Zeroizing::new([0u8; 32]);
        if bytes.len() != key.len() {
            return None;
        }
        key.copy_from_slice(&bytes);
        Some(DataKey(key))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(Key::from_slice(self.0.as_slice()))
    }

    /// Seals `plain` for the place `aad` names.
    pub fn seal(&self, aad: &str, plain: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        // Encryption cannot fail for in-memory values of any size this store holds; an empty
        // result would fail to open, never decrypt to something else.
        let sealed = self.cipher().encrypt(&nonce, Payload { msg: plain, aad: aad.as_bytes() }).unwrap_or_default();
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(nonce.as_slice());
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens a value sealed for `aad`; `None` when it was sealed elsewhere, with another key,
    /// or altered. Never returns garbage.
    pub fn open(&self, aad: &str, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let (&version, rest) = sealed.split_first()?;
        if version != VERSION || rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, body) = rest.split_at_checked(NONCE_LEN)?;
        self.cipher().decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: aad.as_bytes() }).ok().map(Zeroizing::new)
    }

    /// Opens a sealed text.
    pub fn open_text(&self, aad: &str, sealed: &[u8]) -> Option<Zeroizing<String>> {
        let bytes = self.open(aad, sealed)?;
        String::from_utf8(bytes.to_vec()).ok().map(Zeroizing::new)
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_opens_only_where_and_with_the_key_it_was_sealed_with() {
        let key = DataKey::generate();
        let sealed = key.seal("store/1/client_secret", b"s3cret");
        assert_eq!(key.open_text("store/1/client_secret", &sealed).as_deref().map(String::as_str), Some("s3cret"));
        assert!(key.open("store/2/client_secret", &sealed).is_none(), "another row");
        assert!(key.open("store/1/token", &sealed).is_none(), "another column");
        assert!(DataKey::generate().open("store/1/client_secret", &sealed).is_none(), "another key");
        let mut altered = sealed.clone();
        if let Some(last) = altered.last_mut() {
            *last ^= 1;
        }
        assert!(key.open("store/1/client_secret", &altered).is_none(), "altered");
        assert!(key.open("store/1/client_secret", &[]).is_none());
        assert!(key.open("store/1/client_secret", &[1, 2, 3]).is_none());
    }

    #[test]
    fn nonces_are_fresh_and_the_plain_text_is_not_in_the_sealed_value() {
        let key = DataKey::generate();
        let a = key.seal("x", b"the same value");
        let b = key.seal("x", b"the same value");
        assert_ne!(a, b);
        assert!(!a.windows(b"the same value".len()).any(|w| w == b"the same value"));
    }

    #[test]
    fn the_key_round_trips_through_its_text_and_never_prints() {
        let key = DataKey::generate();
        let again = DataKey::from_text(&key.to_text()).unwrap();
        let sealed = key.seal("x", b"v");
        assert!(again.open("x", &sealed).is_some());
        assert!(DataKey::from_text("not a key").is_none());
        assert!(DataKey::from_text("AAAA").is_none());
        assert_eq!(format!("{key:?}"), "DataKey([redacted])");
    }
}
