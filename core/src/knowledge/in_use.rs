//! Which knowledge base is in use: the newest verified bundle stored in the database, else the
//! one compiled into the library. Everything that reads results or checks medicines (imports,
//! phenotype checks, warnings, sharing) goes through this one value, so they can never
//! disagree after an update. It is loaded on first use and swapped when an update is
//! installed; its cache belongs to it, not to the store.

use std::sync::{Arc, PoisonError, RwLock};

use serde::{Deserialize, Serialize};

use super::{BUILTIN_VERSION, KnowledgeBase, SOURCE, Tables, verify_and_load};
use crate::error::Result;
use crate::store::Store;
use crate::time::Timestamp;

/// Which knowledge base is in use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct KnowledgeInfo {
    /// Its version (the built-in base is 1; updates are newer).
    pub version: u64,
    /// Where its facts come from.
    pub source: String,
    /// Whether it came as an update rather than with the library.
    pub updated: bool,
}

/// A base and what it is.
pub struct Loaded {
    /// Which base.
    pub info: KnowledgeInfo,
    /// Its facts.
    pub base: KnowledgeBase,
}

/// The base in use for one database.
pub struct KnowledgeInUse {
    loaded: RwLock<Option<Arc<Loaded>>>,
    /// Public keys (hex) whose bundles are trusted.
    trusted: Vec<String>,
}

impl KnowledgeInUse {
    /// Nothing loaded yet; bundles signed by `trusted` keys count.
    pub fn new(trusted: Vec<String>) -> Self {
        KnowledgeInUse {
            loaded: RwLock::new(None),
            trusted,
        }
    }

    /// The trusted public keys.
    pub fn trusted_keys(&self) -> &[String] {
        &self.trusted
    }

    /// The base in use: a stored update that still verifies and loads, else the built-in one.
    pub fn get(&self, store: &Store) -> Result<Arc<Loaded>> {
        if let Some(loaded) = self
            .loaded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        {
            return Ok(loaded);
        }
        let stored = store.installed_knowledge()?;
        let update = stored
            .and_then(|s| verify_and_load(&s.bytes, &self.trusted).ok())
            .map(|(bundle, base)| Loaded {
                info: KnowledgeInfo {
                    version: bundle.version,
                    source: bundle.source,
                    updated: true,
                },
                base,
            });
        let loaded = Arc::new(match update {
            Some(loaded) => loaded,
            None => Loaded {
                info: KnowledgeInfo {
                    version: BUILTIN_VERSION,
                    source: format!("{SOURCE} (built in)"),
                    updated: false,
                },
                base: KnowledgeBase::from_tables(&Tables::builtin())?,
            },
        });
        *self.loaded.write().unwrap_or_else(PoisonError::into_inner) = Some(loaded.clone());
        Ok(loaded)
    }

    /// Verifies and installs `bytes` (refused unless signed by a trusted key and newer than
    /// the base in use), keeping the server's `etag`, and switches to the new base.
    pub fn install(
        &self,
        store: &Store,
        bytes: &[u8],
        etag: Option<&str>,
        now: Timestamp,
    ) -> Result<KnowledgeInfo> {
        store.install_knowledge(bytes, &self.trusted, etag, now)?;
        *self.loaded.write().unwrap_or_else(PoisonError::into_inner) = None;
        Ok(self.get(store)?.info.clone())
    }
}
