//! The CLI's `KeyStore`: the data key comes from `REGIMEN_KEY` (64 hex digits) when set, or
//! from a key file next to the database (`<db>.key`), created readable by its owner only.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use regimen_ffi::{KeyStore, KeyStoreError};

/// The environment variable that supplies the key instead of the key file.
pub const KEY_ENV: &str = "REGIMEN_KEY";

/// Keys for one database: from the environment, or from the file beside it.
pub struct KeyFile {
    path: PathBuf,
}

impl KeyFile {
    /// The key file that belongs to the database at `db`.
    pub fn beside(db: &Path) -> Self {
        let mut name = db.as_os_str().to_owned();
        name.push(".key");
        KeyFile { path: name.into() }
    }

    /// Where the key file is (or would be created).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl KeyStore for KeyFile {
    fn load_key(&self, _alias: String) -> Result<Option<Vec<u8>>, KeyStoreError> {
        if let Ok(hex) = std::env::var(KEY_ENV) {
            return decode_hex(&hex)
                .map(Some)
                .ok_or_else(|| unavailable(&format!("{KEY_ENV} must be 64 hexadecimal digits")));
        }
        match fs::read_to_string(&self.path) {
            // An empty file was left by a version that could be stopped while writing it:
            // no key was ever kept in it.
            Ok(text) if text.trim().is_empty() => Ok(None),
            Ok(text) => decode_hex(&text).map(Some).ok_or_else(|| {
                unavailable(&format!(
                    "{} does not hold 64 hexadecimal digits",
                    self.path.display()
                ))
            }),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(unavailable(&format!(
                "cannot read {}: {error}",
                self.path.display()
            ))),
        }
    }

    /// Keeps `key` unless a key is kept already. The key is written whole to a private file
    /// and then linked to the key file's name, so the key file is never seen empty or half
    /// written, and of several processes creating the database at once the first key wins
    /// (each reads the kept key back).
    fn save_key(&self, _alias: String, key: Vec<u8>) -> Result<(), KeyStoreError> {
        if std::env::var_os(KEY_ENV).is_some() {
            return Err(unavailable(&format!("{KEY_ENV} is set but unusable")));
        }
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        let mut private = self.path.as_os_str().to_owned();
        private.push(format!(".new-{}", std::process::id()));
        let private = PathBuf::from(private);
        let written = write_private(&private, format!("{hex}\n").as_bytes());
        let kept = written.and_then(|()| self.link_unless_kept(&private));
        let _ = fs::remove_file(&private);
        kept.map_err(|error| unavailable(&format!("cannot write {}: {error}", self.path.display())))
    }

    /// Removes the key file. A key from `REGIMEN_KEY` is the caller's, so nothing is removed.
    fn delete_key(&self, _alias: String) -> Result<(), KeyStoreError> {
        if std::env::var_os(KEY_ENV).is_some() {
            return Ok(());
        }
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(unavailable(&format!(
                "cannot remove {}: {error}",
                self.path.display()
            ))),
        }
    }
}

impl KeyFile {
    /// Gives the written key file its name, unless a key is kept there already; an empty file
    /// left by an interrupted older version is replaced.
    fn link_unless_kept(&self, private: &Path) -> std::io::Result<()> {
        match fs::hard_link(private, &self.path) {
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                let holds_a_key = fs::read_to_string(&self.path)
                    .map(|text| !text.trim().is_empty())
                    .unwrap_or(true);
                if holds_a_key {
                    return Ok(());
                }
                // Move the empty file aside first: of several processes doing this at once,
                // one moves it and every other one then finds the first key in place.
                let mut aside = self.path.as_os_str().to_owned();
                aside.push(format!(".empty-{}", std::process::id()));
                if fs::rename(&self.path, &aside).is_ok() {
                    let _ = fs::remove_file(&aside);
                }
                match fs::hard_link(private, &self.path) {
                    Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                    other => other,
                }
            }
            other => other,
        }
    }
}

/// Writes `bytes` to a new file readable by its owner only, durably.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn unavailable(reason: &str) -> KeyStoreError {
    KeyStoreError::Unavailable {
        reason: reason.to_owned(),
    }
}

/// Decodes exactly 32 bytes of hex, ignoring surrounding white space.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_keys_must_be_exactly_32_bytes() {
        assert_eq!(decode_hex(&"ab".repeat(32)).unwrap(), vec![0xab; 32]);
        assert!(decode_hex(&"ab".repeat(31)).is_none());
        assert!(decode_hex(&"zz".repeat(32)).is_none());
        assert!(decode_hex(&"é".repeat(32)).is_none());
    }
}
