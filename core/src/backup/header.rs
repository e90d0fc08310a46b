//! The two plain lines at the start of a backup file: the magic line and the JSON header.

use serde::{Deserialize, Serialize};

use super::refused;
use crate::error::{BackupProblem, Result};

/// The first line of every backup file.
pub(super) const MAGIC: &[u8] = b"REGIMEN BACKUP\n";

/// The longest header line read, newline included.
const MAX_HEADER: usize = 4096;

/// The header. `format`, `written_by`, `created_at` and `schema` keep their meaning in every
/// format version, so any version can say what a file is; the rest is format 1's.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Header {
    /// The backup format version.
    pub format: u32,
    /// `Regimen <version>`.
    pub written_by: String,
    /// The database schema version inside.
    pub schema: i64,
    /// When the backup was written (RFC 3339, UTC).
    pub created_at: String,
    /// The key derivation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kdf: Option<Kdf>,
    /// The cipher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipher: Option<Cipher>,
    /// Bytes after the header: ciphertext and tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    /// The passphrase check (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

/// The key derivation of format 1.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Kdf {
    /// `argon2id`.
    pub name: String,
    /// Argon2's version number (19, i.e. 0x13).
    pub version: u32,
    /// Memory cost in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
    /// The salt (hex).
    pub salt: String,
}

/// The cipher of format 1.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Cipher {
    /// `AES-256-GCM`.
    pub name: String,
    /// The nonce (hex).
    pub nonce: String,
}

/// A format 1 header with every part present.
pub(super) struct Checked {
    /// The database schema version inside.
    pub schema: i64,
    /// The key derivation.
    pub kdf: Kdf,
    /// The cipher.
    pub cipher: Cipher,
    /// Bytes after the header.
    pub length: u64,
    /// The passphrase check (hex).
    pub check: String,
}

impl Header {
    /// The magic line and the header line, as written at the start of the file.
    pub fn lines(&self) -> Result<Vec<u8>> {
        let json = serde_json::to_vec(self)
            .map_err(|_| refused(BackupProblem::Tampered, "the header could not be written"))?;
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&json);
        out.push(b'\n');
        Ok(out)
    }

    /// Every part format 1 needs, or a refusal naming the one missing.
    pub fn checked(self) -> Result<Checked> {
        let missing =
            |part: &str| refused(BackupProblem::Tampered, format!("the header has no {part}"));
        Ok(Checked {
            schema: self.schema,
            kdf: self.kdf.ok_or_else(|| missing("kdf"))?,
            cipher: self.cipher.ok_or_else(|| missing("cipher"))?,
            length: self.length.ok_or_else(|| missing("length"))?,
            check: self.check.ok_or_else(|| missing("check"))?,
        })
    }
}

/// The header of `file` and where the encrypted body starts.
pub(super) fn parse(file: &[u8]) -> Result<(Header, usize)> {
    if !file.starts_with(MAGIC) {
        return Err(refused(
            BackupProblem::NotABackup,
            "the file does not start as a Regimen backup does",
        ));
    }
    let rest = &file[MAGIC.len()..];
    let end = rest
        .iter()
        .take(MAX_HEADER)
        .position(|&byte| byte == b'\n')
        .ok_or_else(|| {
            if rest.len() < MAX_HEADER {
                refused(BackupProblem::Truncated, "the file ends inside its header")
            } else {
                refused(BackupProblem::Tampered, "the header is longer than 4 KiB")
            }
        })?;
    let header: Header = serde_json::from_slice(&rest[..end])
        .map_err(|_| refused(BackupProblem::Tampered, "the header is not readable"))?;
    if header.written_by.chars().count() > 100 {
        return Err(refused(
            BackupProblem::Tampered,
            "the header's writer name is too long",
        ));
    }
    Ok((header, MAGIC.len() + end + 1))
}
