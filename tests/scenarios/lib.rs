//! Shared fixtures for the end-to-end scenarios: a key store as an app would write one, a Web
//! Push service stand-in on loopback, the Python Web Push and FHIR peers, and the HAPI FHIR
//! pharmacy.

pub mod fhir_resources;
pub mod pharmacy_peer;
pub mod phones;
pub mod push_service;
pub mod python_peer;

use std::sync::Mutex;

use regimen_ffi::{KeyStore, KeyStoreError};

/// A key store that keeps keys in memory, like a platform keystore would, and can be told to
/// fail as a locked device does.
#[derive(Default)]
pub struct MemoryKeyStore {
    keys: Mutex<Vec<(String, Vec<u8>)>>,
    /// When set, every call fails as `Unavailable`.
    pub unavailable: Mutex<bool>,
}

impl MemoryKeyStore {
    /// A store already holding `key` under `alias`.
    pub fn holding(alias: &str, key: Vec<u8>) -> Self {
        let store = MemoryKeyStore::default();
        store.keys.lock().unwrap().push((alias.into(), key));
        store
    }

    /// The key kept under `alias`.
    pub fn key(&self, alias: &str) -> Option<Vec<u8>> {
        let keys = self.keys.lock().unwrap();
        keys.iter()
            .find(|(a, _)| a == alias)
            .map(|(_, k)| k.clone())
    }

    fn check_available(&self) -> Result<(), KeyStoreError> {
        if *self.unavailable.lock().unwrap() {
            return Err(KeyStoreError::Unavailable {
                reason: "device locked".into(),
            });
        }
        Ok(())
    }
}

impl KeyStore for MemoryKeyStore {
    fn load_key(&self, alias: String) -> Result<Option<Vec<u8>>, KeyStoreError> {
        self.check_available()?;
        Ok(self.key(&alias))
    }

    fn save_key(&self, alias: String, key: Vec<u8>) -> Result<(), KeyStoreError> {
        self.check_available()?;
        self.keys.lock().unwrap().push((alias, key));
        Ok(())
    }

    fn delete_key(&self, alias: String) -> Result<(), KeyStoreError> {
        self.check_available()?;
        self.keys.lock().unwrap().retain(|(a, _)| *a != alias);
        Ok(())
    }
}

/// Runs a future on a small runtime of its own, as a synchronous caller of the async API does.
pub fn block_on<T>(future: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
        .block_on(future)
}
