//! Signed knowledge-base bundles: how a newer base reaches phones. A bundle is
//!
//! ```text
//! regimen-knowledge-bundle 1
//! signature <128 hex digits: Ed25519 over the payload bytes>
//! <payload: JSON {"version": N, "created": "YYYY-MM-DD", "source": "...", "tables": {...}}>
//! ```
//!
//! It is verified against the app's trusted public keys before anything reads its content,
//! and its tables must load; its version must be newer than the base in use (the store
//! refuses an older one). The payload is the same for every user, so a server learns nothing
//! from who fetches it.

use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

use super::{KnowledgeBase, Tables};
use crate::error::{Error, Result};

/// First line of every bundle.
const MAGIC: &str = "regimen-knowledge-bundle 1";
/// Largest bundle accepted.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;

/// A bundle's verified content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// Only moves forward.
    pub version: u64,
    /// When it was built (YYYY-MM-DD).
    pub created: String,
    /// Where its facts come from ("CPIC v1.30.0, CPIC allele tables 2025-11-05").
    pub source: String,
    /// The tables.
    pub tables: Tables,
}

fn refused(reason: &str) -> Error {
    Error::KnowledgeBase(reason.to_owned())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// A new Ed25519 signing key (PKCS#8 bytes) for building bundles.
pub fn generate_signing_key() -> Result<Vec<u8>> {
    Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
        .map(|doc| doc.as_ref().to_vec())
        .map_err(|_| refused("could not generate a signing key"))
}

/// The public key (hex) of a PKCS#8 signing key: what apps put in their trusted keys.
pub fn public_key_of(pkcs8: &[u8]) -> Result<String> {
    let pair =
        Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| refused("not an Ed25519 signing key"))?;
    Ok(hex(pair.public_key().as_ref()))
}

/// Signs `bundle` with a PKCS#8 Ed25519 key, after checking its tables load.
pub fn sign(bundle: &Bundle, pkcs8: &[u8]) -> Result<Vec<u8>> {
    load_tables(&bundle.tables)?;
    let pair =
        Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| refused("not an Ed25519 signing key"))?;
    let payload = serde_json::to_vec(bundle).map_err(|_| refused("could not write the payload"))?;
    let signature = pair.sign(&payload);
    let mut out = format!("{MAGIC}\nsignature {}\n", hex(signature.as_ref())).into_bytes();
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Verifies `bytes` against `trusted` public keys (hex) and returns the bundle, or why it is
/// refused: not a bundle, truncated, tampered, signed by an untrusted key, or with tables that
/// do not load.
pub fn verify(bytes: &[u8], trusted: &[String]) -> Result<Bundle> {
    verify_and_load(bytes, trusted).map(|(bundle, _)| bundle)
}

/// [`verify`], with the knowledge base its tables were checked by loading (so that a caller
/// that wants the base does not load it a second time).
pub fn verify_and_load(bytes: &[u8], trusted: &[String]) -> Result<(Bundle, KnowledgeBase)> {
    if bytes.len() > MAX_BYTES {
        return Err(refused("the bundle is larger than 8 MiB"));
    }
    let mut parts = bytes.splitn(3, |b| *b == b'\n');
    let (Some(magic), Some(signature_line), Some(payload)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return Err(refused("not a knowledge-base bundle"));
    };
    if magic != MAGIC.as_bytes() {
        return Err(refused("not a knowledge-base bundle"));
    }
    let signature = std::str::from_utf8(signature_line)
        .ok()
        .and_then(|line| line.strip_prefix("signature "))
        .and_then(unhex)
        .filter(|s| s.len() == 64)
        .ok_or_else(|| refused("the bundle's signature line is malformed"))?;
    let signed_by_trusted_key = trusted.iter().filter_map(|key| unhex(key)).any(|key| {
        UnparsedPublicKey::new(&ED25519, key)
            .verify(payload, &signature)
            .is_ok()
    });
    if !signed_by_trusted_key {
        return Err(refused(
            "the bundle is not signed by a trusted key (or was changed after signing)",
        ));
    }
    let bundle: Bundle = serde_json::from_slice(payload)
        .map_err(|_| refused("the bundle's payload is malformed"))?;
    let base = load_tables(&bundle.tables)?;
    Ok((bundle, base))
}

/// The tables loaded as a knowledge base (its allele tables included), or the bundle refused.
fn load_tables(tables: &Tables) -> Result<KnowledgeBase> {
    KnowledgeBase::from_tables(tables).map_err(|_| refused("the bundle's tables do not load"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(version: u64) -> Bundle {
        Bundle {
            version,
            created: "2026-11-21".into(),
            source: "test".into(),
            tables: Tables::builtin(),
        }
    }

    #[test]
    fn a_signed_bundle_verifies_and_any_change_is_refused() {
        let key = generate_signing_key().unwrap();
        let trusted = vec![public_key_of(&key).unwrap()];
        let signed = sign(&bundle(2), &key).unwrap();
        assert_eq!(verify(&signed, &trusted).unwrap().version, 2);

        let mut tampered = signed.clone();
        let last = tampered.len() - 2;
        tampered[last] ^= 1;
        assert!(matches!(
            verify(&tampered, &trusted),
            Err(Error::KnowledgeBase(_))
        ));
        assert!(
            verify(&signed[..signed.len() - 10], &trusted).is_err(),
            "truncated"
        );
        let other = generate_signing_key().unwrap();
        assert!(
            verify(&signed, &[public_key_of(&other).unwrap()]).is_err(),
            "untrusted key"
        );
        assert!(verify(b"hello", &trusted).is_err());
    }

    #[test]
    fn a_bundle_whose_tables_do_not_load_is_refused_even_when_signed() {
        let key = generate_signing_key().unwrap();
        let mut broken = bundle(2);
        broken.tables.drugs = "# header\nname\trxnorm\natorvastatin\n".into();
        assert!(sign(&broken, &key).is_err());
    }
}

/// The bundle stored in a database: its bytes (verified again on load) and the ETag it came
/// with.
#[derive(Clone, Debug, PartialEq)]
pub struct Installed {
    /// The bundle's version.
    pub version: u64,
    /// The bundle as received.
    pub bytes: Vec<u8>,
    /// The server's ETag, if it came from a server.
    pub etag: Option<String>,
}

impl crate::store::Store {
    /// Verifies `bytes` and, if newer than the base in use, swaps it in (one transaction: the
    /// old bundle stays until the new one is stored). Returns the installed bundle.
    pub fn install_knowledge(
        &self,
        bytes: &[u8],
        trusted: &[String],
        etag: Option<&str>,
        now: crate::time::Timestamp,
    ) -> Result<Bundle> {
        let bundle = verify(bytes, trusted)?;
        self.write(|tx, _| {
            let current: Option<i64> = tx.query_row("SELECT max(version) FROM knowledge_bundle", [], |r| r.get(0))?;
            let current = current.map_or(super::BUILTIN_VERSION, |v| v as u64).max(super::BUILTIN_VERSION);
            if bundle.version <= current {
                return Err(refused(&format!(
                    "version {} is not newer than the base in use ({current})",
                    bundle.version
                )));
            }
            let version = i64::try_from(bundle.version).map_err(|_| refused("the version is too large"))?;
            tx.execute(
                "INSERT INTO knowledge_bundle (id, version, bytes, etag, installed_at) VALUES (1, ?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET version = excluded.version, bytes = excluded.bytes,
                     etag = excluded.etag, installed_at = excluded.installed_at",
                rusqlite::params![version, bytes, etag, now.as_millis()],
            )?;
            Ok(bundle)
        })
    }

    /// The stored bundle, if an update was ever installed.
    pub fn installed_knowledge(&self) -> Result<Option<Installed>> {
        use rusqlite::OptionalExtension;
        self.read(|conn, _| {
            Ok(conn
                .query_row(
                    "SELECT version, bytes, etag FROM knowledge_bundle WHERE id = 1",
                    [],
                    |r| {
                        Ok(Installed {
                            version: r.get::<_, i64>(0)? as u64,
                            bytes: r.get(1)?,
                            etag: r.get(2)?,
                        })
                    },
                )
                .optional()?)
        })
    }
}
