//! Encrypted backups: everything in a database as one file a passphrase opens, to move to a
//! new phone (whose platform key store cannot hold the old phone's key).
//!
//! The format, version 1 (docs/backup-format.md has the same, for other readers):
//! ```text
//! REGIMEN BACKUP\n                    the magic line
//! {"format":1,...}\n                  the header: one line of JSON, at most 4 KiB
//! ciphertext || tag                   AES-256-GCM over the payload, the two lines above as
//!                                     associated data
//! ```
//! The header says which version wrote the file, the database schema inside, when it was
//! written, the key derivation (Argon2id, RFC 9106, with its cost and salt), the cipher's
//! nonce, the ciphertext's length and a passphrase check. The key derivation gives 64 bytes:
//! the first 32 are the AES key, the next 16 the check, so a wrong passphrase is told apart
//! from a changed file. The payload is the database's data key (32 bytes) followed by a
//! consistent SQLite image of the database, whose sealed values that key opens; a restore
//! re-seals them under the new phone's key ([`crate::store::restore`]).

mod crypt;
mod header;

use crate::error::{BackupProblem, Error, Result};
use crate::store::{Image, KEY_LEN, SCHEMA_VERSION};
use crate::time::Timestamp;
pub use crypt::KdfCost;
use header::Header;

/// The backup format this version writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 1;

/// What a backup file says about itself, readable without the passphrase.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BackupInfo {
    /// The backup format version.
    pub format: u32,
    /// Which version of Regimen wrote it (`Regimen 0.1.0`).
    pub written_by: String,
    /// When it was written.
    pub created_at: Timestamp,
    /// The database schema version inside.
    pub schema: i64,
    /// Whether this version of Regimen can restore it (format and schema not newer).
    pub restorable: bool,
}

/// A backup opened with its passphrase: the data key and the database image.
pub(crate) struct Opened {
    /// The key the image's sealed values open with.
    pub key: Vec<u8>,
    /// The SQLite image.
    pub image: Vec<u8>,
}

/// Writes the backup file of `image` under `passphrase`.
pub(crate) fn write(
    image: &Image,
    passphrase: &str,
    cost: KdfCost,
    now: Timestamp,
) -> Result<Vec<u8>> {
    check_passphrase(passphrase)?;
    let salt = crypt::random::<16>()?;
    let nonce = crypt::random::<12>()?;
    let derived = crypt::derive(passphrase, &salt, cost)?;
    let key = &image.key;
    let mut payload = Vec::with_capacity(1 + key.len() + image.bytes.len() + crypt::TAG_LEN);
    payload.push(u8::try_from(key.len()).map_err(|_| Error::Crypto("data key".into()))?);
    payload.extend_from_slice(key);
    payload.extend_from_slice(&image.bytes);
    let header = Header {
        format: FORMAT_VERSION,
        written_by: written_by(),
        schema: image.schema,
        created_at: now
            .to_datetime()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        kdf: Some(crypt::kdf_header(cost, &salt)),
        cipher: Some(crypt::cipher_header(&nonce)),
        length: Some((payload.len() + crypt::TAG_LEN) as u64),
        check: Some(crypt::hex(derived.check())),
    };
    let mut file = header.lines()?;
    crypt::seal(&derived, &nonce, &file, &mut payload)?;
    file.extend_from_slice(&payload);
    Ok(file)
}

/// Whether `start` (a file's first bytes, 15 are enough) is how a Regimen backup starts.
pub fn starts_as_backup(start: &[u8]) -> bool {
    start.starts_with(header::MAGIC)
}

/// What `file` says about itself, without the passphrase. Refuses a file that is not a
/// Regimen backup or whose header cannot be read.
pub fn info(file: &[u8]) -> Result<BackupInfo> {
    let (header, _) = header::parse(file)?;
    Ok(BackupInfo {
        format: header.format,
        written_by: header.written_by.clone(),
        created_at: Timestamp::parse_rfc3339(&header.created_at)
            .map_err(|_| refused(BackupProblem::Tampered, "the header's date is not readable"))?,
        schema: header.schema,
        restorable: header.format <= FORMAT_VERSION && header.schema <= SCHEMA_VERSION,
    })
}

/// Opens `file` with `passphrase`. Each refusal is a [`Error::Backup`] naming the problem.
pub(crate) fn open(file: &[u8], passphrase: &str) -> Result<Opened> {
    let (header, body_at) = header::parse(file)?;
    if header.format > FORMAT_VERSION {
        return Err(refused(
            BackupProblem::TooNew,
            format!(
                "the backup has format {}; this version of Regimen reads up to {FORMAT_VERSION}",
                header.format
            ),
        ));
    }
    let header = header.checked()?;
    if header.schema > SCHEMA_VERSION {
        return Err(refused(
            BackupProblem::TooNew,
            format!(
                "the backup holds a database of schema {}; this version reads up to \
                 {SCHEMA_VERSION}: update the app, then restore",
                header.schema
            ),
        ));
    }
    let body = &file[body_at..];
    match (body.len() as u64).cmp(&header.length) {
        std::cmp::Ordering::Less => {
            return Err(refused(
                BackupProblem::Truncated,
                format!(
                    "the file is cut off: {} of {} bytes after the header",
                    body.len(),
                    header.length
                ),
            ));
        }
        std::cmp::Ordering::Greater => {
            return Err(refused(
                BackupProblem::Tampered,
                "the file has bytes after the end of the backup",
            ));
        }
        std::cmp::Ordering::Equal => {}
    }
    let opening = crypt::read_header(&header)?;
    let derived = crypt::derive(passphrase, &opening.salt, opening.cost)?;
    if !crypt::same(derived.check(), &opening.check) {
        return Err(refused(
            BackupProblem::WrongPassphrase,
            "the passphrase does not open this backup",
        ));
    }
    let mut body = body.to_vec();
    let payload = crypt::open(&derived, &opening.nonce, &file[..body_at], &mut body)?;
    let key_len = usize::from(*payload.first().unwrap_or(&0));
    if key_len != KEY_LEN || payload.len() < 1 + key_len {
        return Err(refused(
            BackupProblem::Tampered,
            "the backup's content is not laid out as its format says",
        ));
    }
    Ok(Opened {
        key: payload[1..1 + key_len].to_vec(),
        image: payload[1 + key_len..].to_vec(),
    })
}

/// A passphrase is 8 to 1024 characters and not only spaces.
pub(crate) fn check_passphrase(passphrase: &str) -> Result<()> {
    let length = passphrase.chars().count();
    if passphrase.trim().is_empty() || !(8..=1024).contains(&length) {
        return Err(Error::invalid(
            "passphrase",
            "must be 8 to 1024 characters and not only spaces",
        ));
    }
    Ok(())
}

/// `Regimen <version>`.
fn written_by() -> String {
    format!("Regimen {}", env!("CARGO_PKG_VERSION"))
}

/// An [`Error::Backup`].
fn refused(problem: BackupProblem, reason: impl Into<String>) -> Error {
    Error::Backup {
        problem,
        reason: reason.into(),
    }
}
