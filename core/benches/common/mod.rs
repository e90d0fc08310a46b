//! What the benchmarks share: a key provider with a fixed key.

use regimen_core::{KeyProvider, Result};

/// Always the same key: benchmarks measure the store, not key handling.
pub struct FixedKey;

impl KeyProvider for FixedKey {
    fn existing_key(&self) -> Result<Option<Vec<u8>>> {
        Ok(Some(vec![42; 32]))
    }
    fn keep_new_key(&self, _key: &[u8]) -> Result<()> {
        Ok(())
    }
}
