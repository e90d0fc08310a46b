//! The knowledge base in use: the newest verified bundle stored in the database, else the
//! one compiled into the library; loaded on first use and swapped when an update arrives.

use std::sync::{Arc, PoisonError, RwLock};

use regimen_core::knowledge::{BUILTIN_VERSION, KnowledgeBase, SOURCE, Tables, verify};
use regimen_core::pgx::AlleleTable;

use crate::error::Result;
use crate::regimen::Regimen;

/// Which knowledge base is in use.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct KnowledgeInfo {
    /// Its version (the built-in base is 1; updates are newer).
    pub version: u64,
    /// Where its facts come from.
    pub source: String,
    /// Whether it came as an update rather than with the library.
    pub updated: bool,
}

/// A loaded base and the allele table from the same tables.
pub(crate) struct Loaded {
    pub info: KnowledgeInfo,
    pub base: KnowledgeBase,
    pub alleles: AlleleTable,
}

/// The base in use, loaded on first use.
#[derive(Default)]
pub(crate) struct KnowledgeCell(RwLock<Option<Arc<Loaded>>>);

impl KnowledgeCell {
    fn get(&self) -> Option<Arc<Loaded>> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, loaded: Option<Arc<Loaded>>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = loaded;
    }
}

fn load(tables: &Tables, info: KnowledgeInfo) -> Result<Arc<Loaded>> {
    Ok(Arc::new(Loaded {
        info,
        base: KnowledgeBase::from_tables(tables)?,
        alleles: AlleleTable::parse(&tables.allele_functions)?,
    }))
}

impl Regimen {
    /// The base in use: a stored update that still verifies, else the built-in one.
    pub(crate) fn loaded(&self) -> Result<Arc<Loaded>> {
        if let Some(loaded) = self.knowledge.get() {
            return Ok(loaded);
        }
        let stored = self.store.installed_knowledge()?;
        let update = stored.and_then(|s| verify(&s.bytes, &self.knowledge_keys).ok());
        let loaded = match update {
            Some(bundle) => load(
                &bundle.tables,
                KnowledgeInfo {
                    version: bundle.version,
                    source: bundle.source,
                    updated: true,
                },
            )?,
            None => load(
                &Tables::builtin(),
                KnowledgeInfo {
                    version: BUILTIN_VERSION,
                    source: format!("{SOURCE} (built in)"),
                    updated: false,
                },
            )?,
        };
        self.knowledge.set(Some(loaded.clone()));
        Ok(loaded)
    }

    /// Verifies and installs `bytes` (see [`Regimen::install_knowledge_bundle`]), keeping the
    /// server's `etag` for the next update check, and switches to the new base.
    pub(crate) fn install_with_etag(
        &self,
        bytes: &[u8],
        etag: Option<&str>,
    ) -> Result<KnowledgeInfo> {
        self.store
            .install_knowledge(bytes, &self.knowledge_keys, etag, self.now()?)?;
        self.knowledge.set(None);
        self.knowledge_info()
    }
}

#[uniffi::export]
impl Regimen {
    /// Which knowledge base warnings come from.
    pub fn knowledge_info(&self) -> Result<KnowledgeInfo> {
        Ok(self.loaded()?.info.clone())
    }

    /// Installs a signed knowledge-base bundle: verified against `RegimenConfig`'s trusted
    /// keys before anything is stored, refused if it is not newer than the base in use, then
    /// swapped in at once. A refused bundle leaves the base in use as it was.
    pub fn install_knowledge_bundle(&self, bytes: Vec<u8>) -> Result<KnowledgeInfo> {
        self.install_with_etag(&bytes, None)
    }
}
