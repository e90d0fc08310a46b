//! Helpers shared by core's integration tests: a store on a temporary file with a fixed key.

use regimen_core::medicine::MedicineInfo;
use regimen_core::{KeyProvider, OpenOptions, Result, Store, Timestamp};

/// A key provider that always has the same key.
pub struct FixedKey;

impl KeyProvider for FixedKey {
    fn existing_key(&self) -> Result<Option<Vec<u8>>> {
        Ok(Some(vec![42; 32]))
    }
    fn keep_new_key(&self, _key: &[u8]) -> Result<()> {
        Ok(())
    }
}

/// A new store in a temporary folder that lives as long as the returned guard.
pub fn store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(
        &dir.path().join("test.db"),
        &OpenOptions::default(),
        &FixedKey,
    )
    .expect("open store");
    (store, dir)
}

/// An instant from RFC 3339 text.
pub fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).expect("valid instant")
}

/// Medicine info with only a name.
pub fn named(name: &str) -> MedicineInfo {
    MedicineInfo {
        name: name.into(),
        ..MedicineInfo::default()
    }
}
