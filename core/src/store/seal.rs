//! Encryption at rest. Every sensitive value (medicine names, strengths, codes, instructions,
//! notes, and later genotypes) is sealed with AES-256-GCM before it reaches SQLite.
//!
//! A sealed value is `version (1 byte) || nonce (12 bytes) || ciphertext || tag (16 bytes)`.
//! The nonce is fresh from the system's secure random generator on every write. The associated
//! data names the table, the column and the row id, so a sealed value copied into another row or
//! column fails to open instead of silently showing another medicine's details.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Length in bytes of a data key.
pub const KEY_LEN: usize = 32;

/// First byte of every sealed value; a new layout gets a new number.
const FORMAT_V1: u8 = 1;

/// Where a sealed value lives. Bound into the seal as associated data.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    /// Table name.
    pub table: &'static str,
    /// Column name.
    pub column: &'static str,
    /// Row id (or a fixed number for singleton rows).
    pub row: i64,
}

impl Slot {
    fn associated_data(&self) -> String {
        format!("regimen/v1/{}/{}/{}", self.table, self.column, self.row)
    }
}

/// Seals and opens values with one database's data key.
pub(crate) struct Sealer {
    key: LessSafeKey,
    /// The key's bytes, for a backup to carry (see `backup/`).
    raw: Vec<u8>,
    rng: SystemRandom,
}

impl Sealer {
    /// A sealer for `key`, which must be [`KEY_LEN`] bytes.
    pub fn new(key: &[u8]) -> Result<Self> {
        if key.len() != KEY_LEN {
            return Err(Error::Locked(format!(
                "the key store returned a key of {} bytes; a data key has {KEY_LEN}",
                key.len()
            )));
        }
        let unbound = UnboundKey::new(&AES_256_GCM, key)
            .map_err(|_| Error::Locked("the data key was rejected".into()))?;
        Ok(Sealer {
            key: LessSafeKey::new(unbound),
            raw: key.to_vec(),
            rng: SystemRandom::new(),
        })
    }

    /// The data key's bytes.
    pub fn key_bytes(&self) -> &[u8] {
        &self.raw
    }

    /// Seals `plaintext` for `slot` under a fresh nonce.
    pub fn seal(&self, slot: Slot, plaintext: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .map_err(|_| Error::Crypto("the system random generator failed".into()))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + plaintext.len() + AES_256_GCM.tag_len());
        out.push(FORMAT_V1);
        out.extend_from_slice(&nonce);
        let mut body = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(slot.associated_data()),
                &mut body,
            )
            .map_err(|_| Error::Crypto("sealing failed".into()))?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Opens a value sealed for `slot`. Fails if the value was changed, sealed under another
    /// key, or sealed for another slot.
    pub fn open(&self, slot: Slot, sealed: &[u8]) -> Result<Vec<u8>> {
        let unreadable = || Error::Crypto(format!("{}.{}", slot.table, slot.column));
        if sealed.len() < 1 + NONCE_LEN + AES_256_GCM.tag_len() || sealed[0] != FORMAT_V1 {
            return Err(unreadable());
        }
        let nonce = Nonce::try_assume_unique_for_key(&sealed[1..1 + NONCE_LEN])
            .map_err(|_| unreadable())?;
        let mut body = sealed[1 + NONCE_LEN..].to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(slot.associated_data()), &mut body)
            .map_err(|_| unreadable())?;
        Ok(plain.to_vec())
    }

    /// Serialises `value` as JSON and seals it.
    pub fn seal_json<T: Serialize>(&self, slot: Slot, value: &T) -> Result<Vec<u8>> {
        // Serialising our own plain structs cannot fail; the error still maps without content.
        let json = serde_json::to_vec(value)
            .map_err(|_| Error::Crypto(format!("{}.{} serialise", slot.table, slot.column)))?;
        self.seal(slot, &json)
    }

    /// Opens a value sealed by [`Sealer::seal_json`]. The parse error's text is dropped: it
    /// could quote the plaintext.
    pub fn open_json<T: DeserializeOwned>(&self, slot: Slot, sealed: &[u8]) -> Result<T> {
        let json = self.open(slot, sealed)?;
        serde_json::from_slice(&json)
            .map_err(|_| Error::Crypto(format!("{}.{} content", slot.table, slot.column)))
    }
}

/// A fresh random data key for a new database.
pub(crate) fn generate_key() -> Result<Vec<u8>> {
    let mut key = vec![0u8; KEY_LEN];
    SystemRandom::new()
        .fill(&mut key)
        .map_err(|_| Error::Crypto("the system random generator failed".into()))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLOT: Slot = Slot {
        table: "medicine",
        column: "details",
        row: 7,
    };

    #[test]
    fn sealed_value_opens_only_in_its_own_row_and_column() {
        let sealer = Sealer::new(&[7u8; KEY_LEN]).unwrap();
        let sealed = sealer.seal(SLOT, b"Warfarin 5 mg").unwrap();
        assert_eq!(sealer.open(SLOT, &sealed).unwrap(), b"Warfarin 5 mg");
        let other_row = Slot { row: 8, ..SLOT };
        assert!(matches!(
            sealer.open(other_row, &sealed),
            Err(Error::Crypto(_))
        ));
        let other_column = Slot {
            column: "notes",
            ..SLOT
        };
        assert!(sealer.open(other_column, &sealed).is_err());
    }

    #[test]
    fn same_plaintext_seals_differently_each_time() {
        let sealer = Sealer::new(&[7u8; KEY_LEN]).unwrap();
        let a = sealer.seal(SLOT, b"same").unwrap();
        let b = sealer.seal(SLOT, b"same").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn flipped_bit_or_truncation_or_other_key_fails_to_open() {
        let sealer = Sealer::new(&[7u8; KEY_LEN]).unwrap();
        let sealed = sealer.seal(SLOT, b"secret").unwrap();
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(sealer.open(SLOT, &flipped).is_err());
        assert!(sealer.open(SLOT, &sealed[..sealed.len() - 1]).is_err());
        assert!(sealer.open(SLOT, &[]).is_err());
        let other = Sealer::new(&[8u8; KEY_LEN]).unwrap();
        assert!(other.open(SLOT, &sealed).is_err());
    }

    #[test]
    fn keys_of_the_wrong_length_are_refused() {
        assert!(matches!(Sealer::new(&[1u8; 16]), Err(Error::Locked(_))));
        assert!(Sealer::new(&[]).is_err());
    }
}
