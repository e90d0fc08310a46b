//! The `KeyStore` platform hook: where the app keeps the database's data key (Android
//! Keystore, iOS Keychain). Regimen generates the key; the app only stores and returns it.

use regimen_core::{Error as CoreError, KeyProvider};

/// Keeps the 32-byte data key of a database, implemented by the app over the platform's
/// secure storage. Keys are looked up by `alias` (see `RegimenConfig::key_alias`).
///
/// Regimen calls `load_key` on every open and `save_key` once, just before it creates a new
/// database. If `load_key` returns nothing for an existing database, opening fails with
/// `Locked`; the database is never recreated, so keep keys in storage that survives app
/// updates and is included in device-to-device transfer as the app's data is.
#[uniffi::export(with_foreign)]
pub trait KeyStore: Send + Sync {
    /// The key saved under `alias`, or `None` if there is none.
    fn load_key(&self, alias: String) -> Result<Option<Vec<u8>>, KeyStoreError>;
    /// Saves `key` under `alias`, replacing nothing: Regimen only calls it when `load_key`
    /// returned `None`.
    fn save_key(&self, alias: String, key: Vec<u8>) -> Result<(), KeyStoreError>;
    /// Removes the key saved under `alias`, for good (called by `delete_everything`, after the
    /// database's files are gone). Removing a key that is not there succeeds.
    fn delete_key(&self, alias: String) -> Result<(), KeyStoreError>;
}

/// Why the app's key store could not answer.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum KeyStoreError {
    /// The platform store is unavailable (device locked before first unlock, keystore reset).
    #[error("the key store is unavailable: {reason}")]
    Unavailable {
        /// The app's explanation, for its own logs.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KeyStoreError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        KeyStoreError::Unavailable {
            reason: format!("the key store threw unexpectedly: {}", error.reason),
        }
    }
}

/// Presents an app's [`KeyStore`] to core as the key of one database.
pub(crate) struct AliasedKey<'a> {
    pub store: &'a dyn KeyStore,
    pub alias: &'a str,
}

impl KeyProvider for AliasedKey<'_> {
    fn existing_key(&self) -> regimen_core::Result<Option<Vec<u8>>> {
        self.store.load_key(self.alias.to_owned()).map_err(locked)
    }

    fn keep_new_key(&self, key: &[u8]) -> regimen_core::Result<()> {
        self.store
            .save_key(self.alias.to_owned(), key.to_vec())
            .map_err(locked)
    }
}

fn locked(error: KeyStoreError) -> CoreError {
    CoreError::Locked(error.to_string())
}
