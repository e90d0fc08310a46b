//! The passphrase's key derivation (Argon2id) and the cipher (AES-256-GCM) of format 1.

use argon2::{Algorithm, Argon2, Params, Version};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use super::header::{Checked, Cipher, Kdf};
use super::refused;
use crate::error::{BackupProblem, Error, Result};

/// The AEAD tag's length.
pub(super) const TAG_LEN: usize = 16;

/// What Argon2id costs: memory in KiB and passes over it (one lane).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfCost {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
}

impl KdfCost {
    /// What every backup is written with: 64 MiB and 3 passes, RFC 9106's second
    /// recommendation for memory-constrained settings (about a second on a mid-range phone).
    pub const STANDARD: KdfCost = KdfCost {
        memory_kib: 64 * 1024,
        iterations: 3,
    };
}

/// The most a header may ask for, so a changed file cannot make a restore allocate or work
/// without bound (the header is only proven unchanged after the key derivation): 256 MiB and
/// 10 passes, four times the standard cost and more than a phone should spend.
const MAX_MEMORY_KIB: u32 = 256 * 1024;
const MAX_ITERATIONS: u32 = 10;

/// The 64 bytes derived from a passphrase: the AES key, then the passphrase check.
pub(super) struct Derived([u8; 64]);

impl Derived {
    /// The AES-256 key.
    fn key(&self) -> &[u8] {
        &self.0[..32]
    }

    /// The passphrase check kept in the header.
    pub fn check(&self) -> &[u8] {
        &self.0[32..48]
    }
}

/// Argon2id of `passphrase` with `salt` at `cost`.
pub(super) fn derive(passphrase: &str, salt: &[u8], cost: KdfCost) -> Result<Derived> {
    let params = Params::new(cost.memory_kib, cost.iterations, 1, Some(64)).map_err(|_| {
        refused(
            BackupProblem::Tampered,
            "the key derivation's cost is invalid",
        )
    })?;
    let mut out = [0u8; 64];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut out)
        .map_err(|_| Error::Crypto("the key derivation failed".into()))?;
    Ok(Derived(out))
}

/// The header's description of the key derivation.
pub(super) fn kdf_header(cost: KdfCost, salt: &[u8]) -> Kdf {
    Kdf {
        name: "argon2id".into(),
        version: 0x13,
        memory_kib: cost.memory_kib,
        iterations: cost.iterations,
        parallelism: 1,
        salt: hex(salt),
    }
}

/// The header's description of the cipher.
pub(super) fn cipher_header(nonce: &[u8]) -> Cipher {
    Cipher {
        name: "AES-256-GCM".into(),
        nonce: hex(nonce),
    }
}

/// What a format 1 header gives to open the body.
pub(super) struct Opening {
    /// The key derivation's cost.
    pub cost: KdfCost,
    /// Its salt.
    pub salt: Vec<u8>,
    /// The cipher's nonce.
    pub nonce: [u8; 12],
    /// The passphrase check.
    pub check: Vec<u8>,
}

/// The cost, salt, nonce and check a format 1 header gives, within bounds.
pub(super) fn read_header(header: &Checked) -> Result<Opening> {
    let kdf = &header.kdf;
    if kdf.name != "argon2id" || kdf.version != 0x13 || header.cipher.name != "AES-256-GCM" {
        return Err(refused(
            BackupProblem::Tampered,
            "the header names a key derivation or cipher this format does not use",
        ));
    }
    // Format 1 is written with one lane; Argon2 needs 8 KiB per lane at least.
    if !(8..=MAX_MEMORY_KIB).contains(&kdf.memory_kib)
        || !(1..=MAX_ITERATIONS).contains(&kdf.iterations)
        || kdf.parallelism != 1
    {
        return Err(refused(
            BackupProblem::Tampered,
            "the key derivation's cost is out of bounds",
        ));
    }
    let salt = unhex(&kdf.salt).filter(|salt| (16..=64).contains(&salt.len()));
    let nonce = unhex(&header.cipher.nonce).and_then(|nonce| <[u8; 12]>::try_from(nonce).ok());
    let check = unhex(&header.check).filter(|check| check.len() == 16);
    match (salt, nonce, check) {
        (Some(salt), Some(nonce), Some(check)) => Ok(Opening {
            cost: KdfCost {
                memory_kib: kdf.memory_kib,
                iterations: kdf.iterations,
            },
            salt,
            nonce,
            check,
        }),
        _ => Err(refused(
            BackupProblem::Tampered,
            "the header's salt, nonce or check is malformed",
        )),
    }
}

/// Seals `payload` in place (tag appended) with the derived key, `nonce` and `aad`.
pub(super) fn seal(
    derived: &Derived,
    nonce: &[u8; 12],
    aad: &[u8],
    payload: &mut Vec<u8>,
) -> Result<()> {
    cipher(derived)?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(*nonce),
            Aad::from(aad),
            payload,
        )
        .map_err(|_| Error::Crypto("sealing the backup failed".into()))
}

/// Opens `body` (ciphertext and tag) in place; a changed byte anywhere is a refusal.
pub(super) fn open<'a>(
    derived: &Derived,
    nonce: &[u8; 12],
    aad: &[u8],
    body: &'a mut [u8],
) -> Result<&'a [u8]> {
    cipher(derived)?
        .open_in_place(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), body)
        .map(|plain| &*plain)
        .map_err(|_| {
            refused(
                BackupProblem::Tampered,
                "the backup was changed after it was written, or damaged",
            )
        })
}

fn cipher(derived: &Derived) -> Result<LessSafeKey> {
    let key = UnboundKey::new(&AES_256_GCM, derived.key())
        .map_err(|_| Error::Crypto("the backup key was rejected".into()))?;
    Ok(LessSafeKey::new(key))
}

/// `N` bytes from the system's secure random generator.
pub(super) fn random<const N: usize>() -> Result<[u8; N]> {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| Error::Crypto("the system random generator failed".into()))?;
    Ok(out)
}

/// Whether two checks are equal, in time that does not depend on where they differ.
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Lower-case hex.
pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of lower- or upper-case hex, or `None`.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || text.len() > 256 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
