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

    fn save_key(&self, _alias: String, key: Vec<u8>) -> Result<(), KeyStoreError> {
        if std::env::var_os(KEY_ENV).is_some() {
            return Err(unavailable(&format!("{KEY_ENV} is set but unusable")));
        }
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        let mut file = options.open(&self.path).map_err(|error| {
            unavailable(&format!("cannot create {}: {error}", self.path.display()))
        })?;
        file.write_all(format!("{hex}\n").as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|error| unavailable(&format!("cannot write {}: {error}", self.path.display())))
    }
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
